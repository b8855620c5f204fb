package io.herald.search;

import com.typesafe.config.Config;
import io.herald.infra.solr.SolrConfigset;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.persistence.TagSlices;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Device search on a node (with {@code herald.search.enabled}, on the same Solr as chat search): the projection of
 * the Device journal into the devices collection, run on the nodes with the search projection role, and
 * {@code GET /v1/devices}, which a gateway node mounts.
 */
public final class DeviceSearchService {

  private final DeviceSearchEndpoint endpoint;

  private DeviceSearchService(DeviceSearchEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Starts the projection (its share of the device slices) and prepares the endpoint. */
  public static DeviceSearchService start(ActorSystem<?> system, Config config) {
    var settings = SearchSettings.fromConfig(config);
    var solrDispatcher = system.dispatchers().lookup(DispatcherSelector.fromConfig(SearchSettings.SOLR_DISPATCHER));
    var solr = new SolrHttpClient(settings.solrBaseUrl(), settings.solrRequestTimeout());
    var collection = new SolrCollection(settings, config.getString("herald.search.devices.collection"),
        SolrConfigset.devices());
    var indexingDispatcher =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(SearchSettings.INDEXING_DISPATCHER));
    DeviceSearchProjection.init(system, settings, config.getConfig("herald.search.devices.projection"),
        TagSlices.device(config),
        new SolrHttpClient(settings.solrBaseUrl(), settings.solrUpdateTimeout()), collection, indexingDispatcher);
    return new DeviceSearchService(new DeviceSearchEndpoint(solr, collection.name(),
        DeviceSearchEndpoint.Limits.fromConfig(config), settings.query(), solrDispatcher));
  }

  /** {@code GET /v1/devices}, for the user {@code authenticated} gives (the gateway's token check and read rate). */
  public Route route(Function<Function<String, Route>, Route> authenticated) {
    return endpoint.route(authenticated);
  }
}
