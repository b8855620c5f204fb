package io.herald.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
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
      // NetworkTopologyStrategy's replicas per data centre, e.g. "dc1:3,dc2:3" (herald.persistence.cassandra).
      "HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS", "herald.persistence.cassandra.data-center-replication-factors",
      "HERALD_SEED_NODES", "pekko.cluster.seed-nodes",
      "HERALD_CONTACT_POINTS", "herald.node.contact-points",
      "HERALD_CORS_ALLOWED_ORIGINS", "herald.gateway.rest.cors.allowed-origins");

  /**
   * Library settings that herald-node.conf derives from a Herald list setting by substitution; substitutions are
   * resolved when the config is loaded, so an override of the Herald setting is copied to them here.
   */
  static final Map<String, List<String>> DERIVED = Map.of(
      "herald.persistence.cassandra.contact-points", List.of("datastax-java-driver.basic.contact-points"),
      "herald.persistence.cassandra.data-center-replication-factors", List.of(
          "pekko.persistence.cassandra.journal.data-center-replication-factors",
          "pekko.persistence.cassandra.snapshot.data-center-replication-factors"));

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
    for (var derived : DERIVED.entrySet()) {
      var heraldValue = result.getValue(derived.getKey());
      if (!config.getValue(derived.getKey()).equals(heraldValue)) {
        for (var libraryPath : derived.getValue()) {
          if (result.hasPath(libraryPath)) {
            result = result.withValue(libraryPath, heraldValue);
          }
        }
      }
    }
    return result.withValue("pekko.cluster.roles", result.getValue("herald.node.roles"));
  }
}
