package io.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.Map;

/**
 * Environment variables that override list settings (HOCON's ${?VAR} only substitutes single values). Each is a
 * comma-separated list; blank means "not set".
 */
final class EnvironmentOverrides {

  /** Variable to setting. */
  static final Map<String, String> LISTS = Map.of(
      "HERALD_ROLES", "herald.node.roles",
      "HERALD_CASSANDRA_CONTACT_POINTS", "herald.persistence.cassandra.contact-points",
      "HERALD_SEED_NODES", "pekko.cluster.seed-nodes",
      "HERALD_CORS_ALLOWED_ORIGINS", "herald.gateway.rest.cors.allowed-origins");

  private EnvironmentOverrides() {}

  /** The config with the variables applied, and herald.node.roles as the cluster roles. */
  static Config apply(Config config, Map<String, String> environment) {
    var result = config;
    for (var entry : LISTS.entrySet()) {
      var value = environment.get(entry.getKey());
      if (value != null && !value.isBlank()) {
        var items = Arrays.stream(value.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
        result = result.withValue(entry.getValue(), ConfigValueFactory.fromIterable(items));
      }
    }
    if (result.hasPath("datastax-java-driver.basic.contact-points")
        && !config.getValue("herald.persistence.cassandra.contact-points")
            .equals(result.getValue("herald.persistence.cassandra.contact-points"))) {
      // The driver's contact points are derived from herald.persistence.cassandra.contact-points.
      result = result.withValue("datastax-java-driver.basic.contact-points",
          result.getValue("herald.persistence.cassandra.contact-points"));
    }
    return result.withValue("pekko.cluster.roles", result.getValue("herald.node.roles"));
  }
}
