package io.herald.signals.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * A live session of the user (a WebSocket or CoAP observer on some gateway): the User entity pushes what it holds
 * after {@code lastSeq} to it, then every new push, until {@link DetachSession} or the session actor stops.
 *
 * <p>Paced replay: with a {@code replayLimit} above 0 the entity replays at most that many pushes. If that page did not
 * reach the newest push, the session gets no new pushes until it attaches again, from the last one it delivered,
 * once its client has read enough of the page: a long backlog reaches the client as fast as it reads, never faster
 * than its bounded buffer takes.
 */
public record AttachSession(String deviceId, long lastSeq, ActorRef<SessionSignal> session, int replayLimit)
    implements UserSignal {

  /** Replays everything after {@code lastSeq} at once. */
  public AttachSession(String deviceId, long lastSeq, ActorRef<SessionSignal> session) {
    this(deviceId, lastSeq, session, 0);
  }
}
