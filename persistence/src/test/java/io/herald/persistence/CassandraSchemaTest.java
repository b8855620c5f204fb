package io.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The explicit schema step on the real Cassandra: it creates the keyspace with the replication the settings name
 * (NetworkTopologyStrategy per data centre, as in production), the journal's, snapshot store's, tag views',
 * projection offsets' and telemetry roll-ups' tables, running
 * it again changes nothing, and a node's own settings (autocreate off) never create a keyspace: against a missing
 * one, recovery fails loudly.
 */
@ExtendWith(InfraExtension.class)
class CassandraSchemaTest {

  @Test
  void createsTheKeyspaceWithTheConfiguredReplicationAndTheTablesAndIsIdempotent(Cassandra cassandra) throws Exception {
    var keyspace = "schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    var config = config(cassandra, keyspace, Map.of(
        "herald.persistence.cassandra.replication-strategy", "NetworkTopologyStrategy",
        "herald.persistence.cassandra.data-center-replication-factors",
        List.of(cassandra.localDatacenter() + ":1")));

    CassandraSchema.create(config, Duration.ofMinutes(2));
    try (var session = session(cassandra)) {
      var replication = replication(session, keyspace);
      assertEquals("org.apache.cassandra.locator.NetworkTopologyStrategy", replication.get("class"), replication::toString);
      assertEquals("1", replication.get(cassandra.localDatacenter()), replication::toString);
      var tables = tables(session, keyspace);
      assertTrue(tables.containsAll(Set.of("messages", "snapshots", "metadata")), tables::toString);
      // Events by tag (read-side projections) and the projections' offsets.
      assertTrue(tables.containsAll(Set.of("tag_views", "tag_write_progress", "tag_scanning")), tables::toString);
      assertTrue(tables.containsAll(Set.of("offset_store", "projection_management")), tables::toString);
      // What the projections write: telemetry roll-ups and each owner's devices.
      assertTrue(tables.containsAll(Set.of("telemetry_rollups", "telemetry_devices")), tables::toString);

      CassandraSchema.create(config, Duration.ofMinutes(2));
      assertEquals(replication, replication(session, keyspace), "a second run keeps the keyspace as it was");
      assertEquals(tables, tables(session, keyspace), "a second run adds and drops nothing");
    }
  }

  @Test
  void aNodesOwnSettingsNeverCreateAKeyspaceRecoveryFailsInstead(Cassandra cassandra) throws Exception {
    var keyspace = "missing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    var recovered = new CompletableFuture<Void>();
    var system = ActorSystem.create(RecoveryProbe.create(recovered), "schema-missing",
        config(cassandra, keyspace, Map.of()));
    try {
      assertThrows(ExecutionException.class, () -> recovered.get(2, TimeUnit.MINUTES),
          "recovery against a missing keyspace fails");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
    try (var session = session(cassandra)) {
      assertFalse(session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)
          .iterator().hasNext(), "the node did not create " + keyspace);
    }
  }

  private static Config config(Cassandra cassandra, String keyspace, Map<String, Object> more) {
    var settings = new HashMap<String, Object>(more);
    settings.put("herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()));
    settings.put("herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter());
    settings.put("herald.persistence.cassandra.keyspace", keyspace);
    settings.put("pekko.actor.provider", "local");
    // A failed recovery must end the probe at once, not after the journal's retries.
    settings.put("pekko.persistence.cassandra.journal.circuit-breaker.call-timeout", "20s");
    return ConfigFactory.load(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultApplication()));
  }

  private static CqlSession session(Cassandra cassandra) {
    return CqlSession.builder().addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter()).build();
  }

  private static Map<String, String> replication(CqlSession session, String keyspace) {
    var row = session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace).one();
    assertTrue(row != null, keyspace + " exists");
    return row.getMap("replication", String.class, String.class);
  }

  private static Set<String> tables(CqlSession session, String keyspace) {
    return session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace).all()
        .stream().map(row -> row.getString("table_name")).collect(Collectors.toSet());
  }
}
