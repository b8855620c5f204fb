package io.herald.user.ingest;

import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserSignal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;

/**
 * Puts pushes into users' outboxes: asks the User entity, retrying with backoff (herald.user.ingest.retry). Safe to
 * repeat: the User entity enqueues a cause id at most once.
 */
public final class OwnerOutbox {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final IngestSettings settings;
  private final Executor dispatcher;

  public OwnerOutbox(ActorSystem<?> system, ClusterSharding sharding, IngestSettings settings) {
    this.system = system;
    this.sharding = sharding;
    this.settings = settings;
    this.dispatcher = system.executionContext();
  }

  public CompletionStage<Done> enqueue(PushIntent intent) {
    return Patterns.retry(() -> sharding.entityRefFor(UserSignal.TYPE_KEY, intent.getUserId())
            .<Done>ask(replyTo -> new EnqueuePush(intent.getCauseId(), intent.getPush(), replyTo), settings.askTimeout()),
        settings.maxAttempts(), settings.retryMinBackoff(), settings.retryMaxBackoff(), settings.randomFactor(), system);
  }

  /**
   * One user's pushes one after the other, so they keep the order of their causes; different users' in parallel
   * (a conversation's fan-out), bounded by the intents of one record.
   */
  public CompletionStage<Done> enqueueAll(List<PushIntent> intents) {
    if (intents.isEmpty()) {
      // Most records (telemetry) push nothing: no stage to wait for, no hop to the dispatcher.
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    var chains = new LinkedHashMap<String, CompletionStage<Done>>();
    for (var intent : intents) {
      var earlier = chains.get(intent.getUserId());
      chains.put(intent.getUserId(), earlier == null ? enqueue(intent) : earlier.thenComposeAsync(done -> enqueue(intent), dispatcher));
    }
    return CompletableFuture.allOf(chains.values().stream().map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new))
        .thenApplyAsync(all -> Done.getInstance(), dispatcher);
  }
}
