package io.herald.gateway.downlink;

import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.SessionSignal;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * The cluster's handle on one live session (docs/architecture.md, "The flow": entities push to "gateway session actors"). On start it
 * attaches to its user's User entity with the client's resume point; each {@link DeliverPush} goes into the session's
 * bounded push queue, which feeds the client's connection. When the queue is full (the client does not read) the
 * queue is failed with {@link SlowSubscriberException} (the connection closes with that reason) and the actor stops;
 * whenever it stops it detaches from the entity.
 *
 * <p>A backlog is replayed page by page, half the push buffer at a time: after a full page the session attaches again
 * from its last delivered push once the client has read half its buffer, so a client that was away long is never
 * closed for it (the entity sends no new pushes to a session it has not caught up yet; they come with the pages).
 *
 * <p>The entity keeps its live sessions in memory only, so it forgets them when it restarts (passivation, a shard
 * moving with its Kafka partition, a node dying). The session therefore attaches again every {@code reattachEvery},
 * with the highest seq it has delivered: a restarted entity learns of it and replays what it missed, a running one
 * replays nothing. Pushes the session has delivered already (a replay overlapping live pushes) are dropped here.
 *
 * <p>The actor's reference is what the entity holds: {@code ActorRef<SessionSignal>}. Its own message type is wider
 * ({@link Ended}, from the connection), so it is an {@code Object} actor narrowed for the cluster.
 */
public final class SessionActor {

  /** The connection ended (client closed, idle timeout, shutdown): detach and stop. */
  enum Ended {
    INSTANCE
  }

  private enum Reattach {
    INSTANCE
  }

  /** A full replay page was delivered: once the client has read enough of it, ask for the next. */
  private enum NextPage {
    INSTANCE
  }

  /** How often a session that waits for room for the next replay page looks at its queue. */
  private static final Duration PAGE_CHECK = Duration.ofMillis(20);

  private SessionActor() {}

  /** The session goes on if the frame was enqueued; a full queue (a client that does not read) ends it. */
  private static Behavior<Object> offered(QueueOfferResult result, BoundedSourceQueue<ServerFrame> pushes,
      int pushBufferSize, DeviceIdentity identity, ActorContext<Object> context) {
    if (result == QueueOfferResult.enqueued()) {
      return Behaviors.same();
    }
    if (result == QueueOfferResult.dropped()) {
      context.getLog().info("Closing the session of {}: its client does not read pushes", identity);
      pushes.fail(new SlowSubscriberException(pushBufferSize));
    }
    // Dropped, or the connection is gone already: this session is over.
    return Behaviors.stopped();
  }

  static Behavior<Object> create(
      DeviceIdentity identity,
      long lastSeq,
      BoundedSourceQueue<ServerFrame> pushes,
      int pushBufferSize,
      Duration reattachEvery,
      UserEntities users) {
    // Half the buffer per page: the next page is asked for when half of it is free again, so the client reads on
    // while the page travels.
    int replayLimit = Math.max(1, pushBufferSize / 2);
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> {
          ActorRef<SessionSignal> self = context.getSelf().narrow();
          // Actor-local: the highest push seq handed to the connection, and how many were since the last attach (a
          // full page means the entity may hold more, which it sends only when asked).
          long[] delivered = {lastSeq};
          int[] sinceAttach = {0};
          Runnable attach = () -> {
            sinceAttach[0] = 0;
            users.tell(identity.userId(), new AttachSession(identity.deviceId(), delivered[0], self, replayLimit));
          };
          attach.run();
          timers.startTimerWithFixedDelay(Reattach.INSTANCE, reattachEvery);
          return Behaviors.receive(Object.class)
              .onMessageEquals(Reattach.INSTANCE, () -> {
                attach.run();
                return Behaviors.same();
              })
              .onMessageEquals(NextPage.INSTANCE, () -> {
                if (pushes.size() <= pushBufferSize - replayLimit) {
                  attach.run();
                } else {
                  timers.startSingleTimer(NextPage.INSTANCE, PAGE_CHECK);
                }
                return Behaviors.same();
              })
              .onMessage(
                  DeliverPush.class,
                  push -> {
                    if (!push.frame().hasPush()) {
                      // The entity's welcome with pushes_missed, ahead of the pushes it replays: the session goes on
                      // from where the outbox starts (and says it once).
                      delivered[0] = Math.max(delivered[0], push.frame().getWelcome().getResumedFromSeq());
                      return offered(pushes.offer(push.frame()), pushes, pushBufferSize, identity, context);
                    }
                    long seq = push.frame().getPush().getSeq();
                    if (seq <= delivered[0]) {
                      return Behaviors.same();
                    }
                    QueueOfferResult result = pushes.offer(push.frame());
                    if (result == QueueOfferResult.enqueued()) {
                      delivered[0] = seq;
                      if (++sinceAttach[0] == replayLimit) {
                        timers.startSingleTimer(NextPage.INSTANCE, PAGE_CHECK);
                      }
                      return Behaviors.same();
                    }
                    return offered(result, pushes, pushBufferSize, identity, context);
                  })
              .onMessageEquals(Ended.INSTANCE, Behaviors::stopped)
              .onSignal(
                  PostStop.class,
                  stopped -> {
                    users.tell(identity.userId(), new DetachSession(self));
                    return Behaviors.same();
                  })
              .build();
        }));
  }
}
