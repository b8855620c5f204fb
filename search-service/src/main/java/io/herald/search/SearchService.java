package io.herald.search;

import com.typesafe.config.Config;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.persistence.TagSlices;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Chat search on a node ({@code herald.search.enabled}): the projection of the Conversation journal into Solr, run
 * on the nodes with the projection role, and the search endpoint, which a gateway node mounts.
 */
public final class SearchService {

  private final SearchEndpoint endpoint;
  private final ProjectionProgress progress;
  private final ChatSearchRebuild rebuild;

  private SearchService(SearchEndpoint endpoint, ProjectionProgress progress, ChatSearchRebuild rebuild) {
    this.endpoint = endpoint;
    this.progress = progress;
    this.rebuild = rebuild;
  }

  /** Whether the configuration turns search on. */
  public static boolean enabled(Config config) {
    return config.getBoolean("herald.search.enabled");
  }

  /** Starts the projection (its share of the slices, on a node with the projection role) and prepares the endpoint. */
  public static SearchService start(ActorSystem<?> system, Config config) {
    var settings = SearchSettings.fromConfig(config);
    var slices = TagSlices.chat(config);
    var solrDispatcher = system.dispatchers().lookup(DispatcherSelector.fromConfig(SearchSettings.SOLR_DISPATCHER));
    var indexingDispatcher =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(SearchSettings.INDEXING_DISPATCHER));
    var solr = new SolrHttpClient(settings.solrBaseUrl(), settings.solrRequestTimeout());
    var collection = new SolrCollection(settings);
    var progress = new ProjectionProgress(ChatSearchProjection.NAME, slices.tags(), Metrics.globalRegistry,
        Clock.systemUTC());
    ChatSearchProjection.init(system, settings, slices,
        new SolrHttpClient(settings.solrBaseUrl(), settings.solrUpdateTimeout()), collection, indexingDispatcher,
        progress);
    var service = new SearchService(new SearchEndpoint(solr, collection.name(), settings.query(), solrDispatcher),
        progress, new ChatSearchRebuild(system, slices.tags(), collection, solrDispatcher));
    SearchOperations.get(system).started(service);
    return service;
  }

  List<Map<String, Object>> progress() {
    return List.of(progress.summary());
  }

  CompletionStage<List<String>> rebuildChatSearch() {
    return rebuild.run();
  }

  /**
   * {@code GET /v1/search/messages}, for the user {@code authenticated} gives (the gateway's token check and read
   * rate, as its REST reads).
   */
  public Route route(Function<Function<String, Route>, Route> authenticated) {
    return endpoint.route(authenticated);
  }
}
