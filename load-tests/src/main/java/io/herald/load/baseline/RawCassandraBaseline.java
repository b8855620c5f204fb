package io.herald.load.baseline;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.herald.load.LocalTargets;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;

/**
 * What Cassandra alone sustains on this machine: asynchronous prepared inserts of rows shaped like Herald's journal
 * rows (partition = persistence id + partition number, clustered by sequence number, a {@code TelemetryRecorded}
 * event as the blob), at the journal's consistency ({@code QUORUM}), into its own keyspace and table created when
 * missing ({@value #KEYSPACE}.{@value #TABLE}, replication factor 1). Nothing else is touched.
 */
public final class RawCassandraBaseline {

  public static final String KEYSPACE = "herald_baseline";
  public static final String TABLE = "events";

  /** Schema changes on a busy single node can be slow; past this the baseline gives up. */
  private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);

  private RawCassandraBaseline() {}

  /** @throws BaselineException when Cassandra is unreachable or the table cannot be created */
  public static BaselineResult run(InetSocketAddress contactPoint, String localDatacenter, BaselineSettings settings) {
    LocalTargets.requireLocal(contactPoint);
    var resolved = contactPoint.isUnresolved()
        ? new InetSocketAddress(contactPoint.getHostString(), contactPoint.getPort())
        : contactPoint;
    CqlSession session;
    try {
      session = CqlSession.builder().addContactPoint(resolved).withLocalDatacenter(localDatacenter).build();
    } catch (RuntimeException e) {
      throw new BaselineException("cannot connect to Cassandra at " + contactPoint, e);
    }
    try (session) {
      PreparedStatement insert = prepare(session);
      // Each run writes its own persistence ids, so sequence numbers restart at 0 without overwriting older rows.
      String run = UUID.randomUUID().toString().substring(0, 8);
      String writer = UUID.randomUUID().toString();
      return BoundedLoad.run(BaselineResult.RAW_CASSANDRA, settings, i -> {
        long key = i % settings.keys();
        byte[] event = SampleRecords.telemetryRecorded(key, i).toByteArray();
        return session.executeAsync(insert.bind(
                "Device|" + SampleRecords.deviceId(key) + "-" + run, 0L, i / settings.keys(), Uuids.timeBased(),
                writer, 1234, "herald.events.v1.TelemetryRecorded", ByteBuffer.wrap(event))
            .setConsistencyLevel(ConsistencyLevel.QUORUM));
      });
    }
  }

  private static PreparedStatement prepare(CqlSession session) {
    try {
      session.execute(SimpleStatement.newInstance(
          "CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
              + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
          .setTimeout(SCHEMA_TIMEOUT));
      session.execute(SimpleStatement.newInstance(
          "CREATE TABLE IF NOT EXISTS " + KEYSPACE + "." + TABLE + " ("
              + "persistence_id text, partition_nr bigint, sequence_nr bigint, timestamp timeuuid, writer_uuid text, "
              + "ser_id int, ser_manifest text, event blob, "
              + "PRIMARY KEY ((persistence_id, partition_nr), sequence_nr, timestamp))")
          .setTimeout(SCHEMA_TIMEOUT));
      return session.prepare("INSERT INTO " + KEYSPACE + "." + TABLE + " (persistence_id, partition_nr, sequence_nr, "
          + "timestamp, writer_uuid, ser_id, ser_manifest, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    } catch (RuntimeException e) {
      throw new BaselineException("cannot create " + KEYSPACE + "." + TABLE, e);
    }
  }
}
