package io.herald.user.ingest;

import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.signals.cluster.UserOutboxes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The pushes one record's effect causes, put into the users' outboxes ({@link UserOutboxes}, asked with
 * herald.user.ingest.retry) before the record's offset is committed: a failure makes the pipeline ask the entity
 * again, which repeats them under the same cause ids.
 */
final class OwnerOutbox {

  private final UserOutboxes outboxes;
  private final Executor dispatcher;

  OwnerOutbox(ActorSystem<?> system, UserOutboxes outboxes) {
    this.outboxes = outboxes;
    this.dispatcher = system.executionContext();
  }

  /**
   * One user's pushes one after the other, so they keep the order of their causes; different users' in parallel
   * (a conversation's read receipts), bounded by the intents of one record. Completes on the dispatcher (or at once).
   */
  CompletionStage<Done> enqueueAll(List<PushIntent> intents) {
    if (intents.isEmpty()) {
      // Most records (telemetry) push nothing: no stage to wait for, no hop to the dispatcher.
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    var chains = new LinkedHashMap<String, CompletionStage<Done>>();
    for (var intent : intents) {
      var earlier = chains.get(intent.getUserId());
      chains.put(intent.getUserId(), earlier == null ? enqueue(intent)
          : earlier.thenComposeAsync(done -> enqueue(intent), dispatcher));
    }
    return CompletableFuture.allOf(chains.values().stream().map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new))
        .thenApplyAsync(all -> Done.getInstance(), dispatcher);
  }

  private CompletionStage<Done> enqueue(PushIntent intent) {
    return outboxes.enqueue(intent.getUserId(), intent.getCauseId(), intent.getPush());
  }
}
