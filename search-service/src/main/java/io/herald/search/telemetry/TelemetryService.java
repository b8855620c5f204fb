package io.herald.search.telemetry;

import com.typesafe.config.Config;
import io.herald.persistence.TagSlices;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Telemetry reports on a node ({@code herald.search.telemetry.enabled}): the roll-up projection of the Device journal
 * into Cassandra, run on the nodes with its role, and the report endpoints, which a gateway node mounts.
 */
public final class TelemetryService {

  private final TelemetryEndpoint endpoint;

  private TelemetryService(TelemetryEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Whether the configuration turns telemetry reports on. */
  public static boolean enabled(Config config) {
    return config.getBoolean("herald.search.telemetry.enabled");
  }

  /** Starts the projection (its share of the slices, on a node with its role) and prepares the endpoint. */
  public static TelemetryService start(ActorSystem<?> system, Config config) {
    var settings = TelemetrySettings.fromConfig(config);
    // Nothing here blocks: Cassandra's answers are continued on the actor system's dispatcher.
    var dispatcher = system.executionContext();
    var store = new TelemetryStore(system, dispatcher, settings.cassandraParallelism());
    TelemetryProjection.init(system, settings, TagSlices.device(config), store, dispatcher);
    return new TelemetryService(new TelemetryEndpoint(system, store, settings, dispatcher));
  }

  /**
   * {@code GET /v1/devices/{id}/telemetry} and {@code GET /v1/telemetry}, for the user {@code authenticated} gives (the
   * gateway's token check and read rate, as its REST reads).
   */
  public Route route(Function<Function<String, Route>, Route> authenticated) {
    return endpoint.route(authenticated);
  }
}
