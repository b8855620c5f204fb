package io.herald.gateway.downlink;

import java.time.Duration;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.cluster.AttachSession;
import io.herald.protocol.cluster.DeliverPush;
import io.herald.protocol.cluster.DetachSession;
import io.herald.protocol.cluster.SessionSignal;
import io.herald.protocol.device.v1.ServerFrame;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * The cluster's handle on one live session (ARCHITECTURE.md: entities push to "gateway session actors"). On start it
 * attaches to its user's User entity with the client's resume point; each {@link DeliverPush} goes into the session's
 * bounded push queue, which feeds the client's connection. When the queue is full (the client does not read) the
 * queue is failed with {@link SlowSubscriberException} (the connection closes with that reason) and the actor stops;
 * whenever it stops it detaches from the entity.
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

  private SessionActor() {}

  static Behavior<Object> create(
      DeviceIdentity identity,
      long lastSeq,
      BoundedSourceQueue<ServerFrame> pushes,
      int pushBufferSize,
      Duration reattachEvery,
      UserEntities users) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> {
          ActorRef<SessionSignal> self = context.getSelf().narrow();
          // Actor-local: the highest push seq handed to the connection.
          long[] delivered = {lastSeq};
          users.tell(identity.userId(), new AttachSession(identity.deviceId(), lastSeq, self));
          timers.startTimerWithFixedDelay(Reattach.INSTANCE, reattachEvery);
          return Behaviors.receive(Object.class)
              .onMessageEquals(Reattach.INSTANCE, () -> {
                users.tell(identity.userId(), new AttachSession(identity.deviceId(), delivered[0], self));
                return Behaviors.same();
              })
              .onMessage(
                  DeliverPush.class,
                  push -> {
                    long seq = push.frame().getPush().getSeq();
                    if (seq <= delivered[0]) {
                      return Behaviors.same();
                    }
                    QueueOfferResult result = pushes.offer(push.frame());
                    if (result == QueueOfferResult.enqueued()) {
                      delivered[0] = seq;
                      return Behaviors.same();
                    }
                    if (result == QueueOfferResult.dropped()) {
                      context.getLog().info("Closing the session of {}: its client does not read pushes", identity);
                      pushes.fail(new SlowSubscriberException(pushBufferSize));
                    }
                    // Dropped, or the connection is gone already: this session is over.
                    return Behaviors.stopped();
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
