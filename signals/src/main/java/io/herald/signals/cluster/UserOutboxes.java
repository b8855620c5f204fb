package io.herald.signals.cluster;

import io.herald.protocol.device.v1.Push;
import io.herald.signals.concurrent.Continuations;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;

/**
 * The one way a push reaches a user's outbox: {@link EnqueuePush} asked of the user's User entity. The User entity
 * enqueues a cause id at most once, so whoever decides a push gives it a cause id that is the same each time the
 * same push is asked, and asks again until the stage completes: until then it keeps the push where a crash does not
 * lose it (an uncommitted Kafka offset for the ingest pipeline, persisted progress for a conversation's fan-out and
 * notices) or, for a Device's presence, in the entity, asking again after a backoff.
 */
@FunctionalInterface
public interface UserOutboxes {

  /** Completes on the dispatcher once the push is durable in the outbox (or was already), or fails. */
  CompletionStage<Done> enqueue(String userId, String causeId, Push push);

  /**
   * Completes once the pushes are durable in the outbox, in this order (or were already), or fails. The User entities
   * of the cluster ({@link #sharded}) take them in one ask and one journal write; this default, one push after the
   * other, is for outboxes that are not those.
   */
  default CompletionStage<Done> enqueueAll(String userId, List<EnqueuePush.Entry> entries) {
    CompletionStage<Done> all = CompletableFuture.completedFuture(Done.getInstance());
    for (var entry : entries) {
      all = all.thenCompose(done -> enqueue(userId, entry.causeId(), entry.push()));
    }
    return all;
  }

  /**
   * The User entities of the cluster, reached by entity type name (no service imports another): each enqueue is
   * asked, and again up to {@code retries} times, {@code askTimeout} each, with a backoff from {@code minBackoff} to
   * {@code maxBackoff} between them.
   */
  static UserOutboxes sharded(ActorSystem<?> system, Duration askTimeout, int retries, Duration minBackoff,
      Duration maxBackoff, double randomFactor) {
    var sharding = ClusterSharding.get(system);
    var dispatcher = system.executionContext();
    return new UserOutboxes() {
      @Override
      public CompletionStage<Done> enqueue(String userId, String causeId, Push push) {
        return enqueueAll(userId, List.of(new EnqueuePush.Entry(causeId, push)));
      }

      @Override
      public CompletionStage<Done> enqueueAll(String userId, List<EnqueuePush.Entry> entries) {
        return Continuations.onDispatcher(Patterns.retry(
            () -> sharding.entityRefFor(UserSignal.TYPE_KEY, userId)
                .<Done>ask(replyTo -> new EnqueuePush(entries, replyTo), askTimeout),
            retries, minBackoff, maxBackoff, randomFactor, system), dispatcher);
      }
    };
  }
}
