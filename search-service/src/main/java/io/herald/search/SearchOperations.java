package io.herald.search;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The read side's operator actions on this node, for the management port (deploy/node's OperatorRoutes, which
 * cannot be handed the service): empty unless {@link SearchService#start} ran on this node.
 */
public final class SearchOperations implements Extension {

  /** The projections an operator may name. */
  public static final List<String> PROJECTIONS = List.of(ChatSearchProjection.NAME);

  private final AtomicReference<SearchService> service = new AtomicReference<>();

  private SearchOperations() {}

  public static SearchOperations get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  void started(SearchService started) {
    service.set(started);
  }

  /** Each projection's progress on this node (its slices' lag, failing state, events), if search runs here. */
  public Optional<List<Map<String, Object>>> status() {
    return Optional.ofNullable(service.get()).map(SearchService::progress);
  }

  /**
   * Rebuilds the projection from the journal (clears its documents and offsets, every slice reads its tag from the
   * start); empty if search does not run here. Completes with the slices rebuilding.
   */
  public Optional<CompletionStage<List<String>>> rebuild(String projection) {
    if (!PROJECTIONS.contains(projection)) {
      throw new IllegalArgumentException("no projection named " + projection + "; known: " + PROJECTIONS);
    }
    return Optional.ofNullable(service.get()).map(SearchService::rebuildChatSearch);
  }

  private static final class Id extends ExtensionId<SearchOperations> {
    static final Id INSTANCE = new Id();

    @Override
    public SearchOperations createExtension(ActorSystem<?> system) {
      return new SearchOperations();
    }
  }
}
