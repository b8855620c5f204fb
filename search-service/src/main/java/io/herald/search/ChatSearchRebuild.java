package io.herald.search;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds chat search from the journal (an operator's action, docs/operations.md): pauses every slice of the
 * projection wherever it runs in the cluster, deletes the collection's documents (membership records included),
 * clears the slices' offsets and resumes them, so that each reads its tag from the start again
 * ({@code first-time-bucket}) into an empty collection.
 *
 * <p>The order matters: a slice still running while the documents go would write membership records past events
 * whose messages were deleted, and the replay would then skip them. A failure before the deletion resumes the slices
 * as they were; after it, they stay paused (search answers from what is left, nothing is indexed) until the rebuild is
 * run again, which starts over.
 */
final class ChatSearchRebuild {

  private static final Logger log = LoggerFactory.getLogger(ChatSearchRebuild.class);

  private final ProjectionManagement management;
  private final List<ProjectionId> slices;
  private final SolrCollection collection;
  private final Executor solrDispatcher;
  private final Executor dispatcher;

  ChatSearchRebuild(ActorSystem<?> system, List<String> tags, SolrCollection collection, Executor solrDispatcher) {
    this.management = ProjectionManagement.get(system);
    this.slices = tags.stream().map(tag -> ProjectionId.of(ChatSearchProjection.NAME, tag)).toList();
    this.collection = collection;
    this.solrDispatcher = solrDispatcher;
    this.dispatcher = system.executionContext();
  }

  /** Completes once every slice reads its tag from the start again (the rebuild itself goes on after it). */
  CompletionStage<List<String>> run() {
    log.warn("Rebuilding {} from the journal: pausing its slices {}", ChatSearchProjection.NAME, slices);
    return onEverySlice(management::pause)
        .thenApplyAsync(paused -> {
          try {
            collection.clear();
          } catch (RuntimeException e) {
            log.warn("Rebuild of {} stopped before anything changed, resuming its slices: {}",
                ChatSearchProjection.NAME, e.toString());
            onEverySlice(management::resume);
            throw e;
          }
          log.warn("Rebuild of {}: collection {} cleared; clearing the offsets", ChatSearchProjection.NAME,
              collection.name());
          return paused;
        }, solrDispatcher)
        .thenComposeAsync(cleared -> onEverySlice(management::clearOffset), dispatcher)
        .thenComposeAsync(offsetsCleared -> onEverySlice(management::resume), dispatcher)
        .thenApplyAsync(resumed -> {
          log.warn("Rebuild of {}: slices resumed, reading their tags from the start", ChatSearchProjection.NAME);
          return slices.stream().map(ProjectionId::key).toList();
        }, dispatcher);
  }

  private CompletionStage<Done> onEverySlice(Function<ProjectionId, CompletionStage<Done>> operation) {
    var all = slices.stream().map(slice -> operation.apply(slice).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApplyAsync(done -> Done.getInstance(), dispatcher);
  }
}
