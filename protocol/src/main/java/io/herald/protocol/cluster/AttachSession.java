package io.herald.protocol.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * A live session of the user (a WebSocket or CoAP observer on some gateway): the User entity pushes everything after
 * {@code lastSeq} to it, then every new push, until {@link DetachSession} or the session actor stops.
 */
public record AttachSession(String deviceId, long lastSeq, ActorRef<SessionSignal> session) implements UserSignal {}
