package io.herald.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The explicit schema step ({@code bin/herald schema}, run by {@code herald up}): creates the keyspace with the
 * configured replication, the journal's and snapshot store's tables (the tag tables {@code tag_views},
 * {@code tag_write_progress}, {@code tag_scanning} among them) and the read-side projections' offset tables
 * ({@code offset_store}, {@code projection_management}) and the tables they write ({@link ReadSideTables}), then
 * stops.
 *
 * <p>The tables are the plugin's own definitions: this step runs the plugin once with autocreate switched on and
 * recovers a probe entity, which makes the journal and the snapshot store open their sessions (and so create what is
 * missing); the projections' offset tables come from pekko-projection-cassandra's own statements, the tables the projections
 * write from {@link ReadSideTables}. Nodes run with autocreate off, so a misconfigured node fails loudly instead of creating a keyspace with
 * the wrong replication.
 */
public final class CassandraSchema {

  private CassandraSchema() {}

  /** Creates what is missing and returns; idempotent. */
  public static void create(Config config, Duration timeout) {
    var autocreate = ConfigFactory.parseMap(Map.of(
        "pekko.persistence.cassandra.journal.keyspace-autocreate", "on",
        "pekko.persistence.cassandra.journal.tables-autocreate", "on",
        "pekko.persistence.cassandra.snapshot.keyspace-autocreate", "on",
        "pekko.persistence.cassandra.snapshot.tables-autocreate", "on",
        // DDL takes seconds per table on a busy machine: longer than a journal write may take.
        "pekko.persistence.cassandra.journal.circuit-breaker.call-timeout", timeout.toMillis() + "ms",
        "pekko.persistence.cassandra.snapshot.circuit-breaker.call-timeout", timeout.toMillis() + "ms",
        // The plugin runs its CREATE statements with the driver's default profile, whose 2 s timeout a loaded
        // Cassandra overruns; the plugin then only logs the failure, and the probe finds no tables (seen under load).
        "datastax-java-driver.basic.request.timeout", timeout.toMillis() + "ms",
        "pekko.actor.provider", "local",
        // Tag-write notifications go over the cluster's DistributedPubSub, which this local system has not.
        "pekko.persistence.cassandra.events-by-tag.pubsub-notification", "off"));
    var done = new CompletableFuture<Void>();
    var system = ActorSystem.create(RecoveryProbe.create(done), "herald-schema", autocreate.withFallback(config));
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      // Blocks this thread only: nothing continues the stage.
      CassandraProjection.createTablesIfNotExists(system).toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      var session = CassandraSessionRegistry.get(system)
          .sessionFor(system.settings().config().getString("pekko.projection.cassandra.session-config-path"));
      for (var statement : ReadSideTables.statements(config.getString("herald.persistence.cassandra.keyspace"))) {
        session.executeDDL(statement).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cassandra schema could not be created: " + e.getMessage(), e);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
