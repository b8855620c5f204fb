package io.herald.node;

import com.typesafe.config.Config;
import io.herald.infra.Cassandra;
import io.herald.infra.Kafka;
import io.herald.persistence.CassandraSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Configuration of a node under test: real Kafka and Cassandra from the infra extension, ephemeral ports. */
final class TestNodes {

  static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123";
  static final String ADMIN_TOKEN = "test-admin-token";

  private TestNodes() {}

  static Config config(Kafka kafka, Cassandra cassandra) {
    return config(kafka, cassandra, Map.of());
  }

  /** The same, with more settings (e.g. a fixed remote port and seed nodes for a second node). */
  static Config config(Kafka kafka, Cassandra cassandra, Map<String, Object> more) {
    var settings = new HashMap<String, Object>(Map.of(
            "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
            "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
            "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
            "herald.auth.jwt-secret", JWT_SECRET,
            "herald.admin.token", ADMIN_TOKEN,
            "herald.gateway.http.port", 0,
            "herald.gateway.coap.port", 0,
            "pekko.remote.artery.canonical.port", 0,
            "pekko.management.http.port", 0,
            // WarmUpTest turns it on; elsewhere it would only add seconds to each node start.
            "herald.node.warm-up.duration", "0s"));
    settings.putAll(more);
    return HeraldConfig.load(settings);
  }

  /** The schema step, as herald up runs it; idempotent, so every test class may call it. */
  static Config withSchema(Kafka kafka, Cassandra cassandra) {
    var config = config(kafka, cassandra);
    CassandraSchema.create(config, Duration.ofMinutes(2));
    return config;
  }
}
