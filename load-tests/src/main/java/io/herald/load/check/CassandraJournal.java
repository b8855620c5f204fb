package io.herald.load.check;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.events.v1.TelemetryRecorded;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what Herald applied from its Cassandra journal (Pekko Persistence Cassandra's {@code messages} table): the
 * events of one entity, in sequence_nr order, decoded with the Protobuf event schemas.
 */
public final class CassandraJournal implements AutoCloseable {

  /** The persistence id prefix of Device entities (entity type name + Pekko's separator). */
  public static final String DEVICE_PREFIX = "Device|";

  private static final String TELEMETRY_MANIFEST = TelemetryRecorded.getDescriptor().getFullName();

  private final CqlSession session;
  private final PreparedStatement eventsOfPartition;

  private CassandraJournal(CqlSession session, String keyspace) {
    this.session = session;
    this.eventsOfPartition = session.prepare("SELECT sequence_nr, ser_manifest, event FROM "
        + CqlIdentifier.fromInternal(keyspace).asCql(true)
        + ".messages WHERE persistence_id = ? AND partition_nr = ?");
  }

  /** Connects to one Cassandra node (the driver discovers the others). */
  public static CassandraJournal connect(InetSocketAddress contactPoint, String localDatacenter, String keyspace) {
    var resolved = contactPoint.isUnresolved()
        ? new InetSocketAddress(contactPoint.getHostString(), contactPoint.getPort())
        : contactPoint;
    var session = CqlSession.builder().addContactPoint(resolved).withLocalDatacenter(localDatacenter).build();
    try {
      return new CassandraJournal(session, keyspace);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** The message ids of a device's applied telemetry, in applied order, duplicates included. */
  public List<String> telemetryMessageIds(String deviceId) {
    var ids = new ArrayList<String>();
    // The journal spreads an entity over partitions of a fixed size; the first empty one is past its end.
    for (long partition = 0; ; partition++) {
      boolean any = false;
      for (Row row : session.execute(eventsOfPartition.bind(DEVICE_PREFIX + deviceId, partition))) {
        any = true;
        if (TELEMETRY_MANIFEST.equals(row.getString("ser_manifest"))) {
          ids.add(decode(row.getByteBuffer("event"), deviceId, row.getLong("sequence_nr")).getMessageId());
        }
      }
      if (!any) {
        return ids;
      }
    }
  }

  private static TelemetryRecorded decode(ByteBuffer event, String deviceId, long sequenceNr) {
    try {
      return TelemetryRecorded.parseFrom(event);
    } catch (InvalidProtocolBufferException e) {
      throw new JournalReadException("undecodable TelemetryRecorded of " + deviceId + " at " + sequenceNr, e);
    }
  }

  @Override
  public void close() {
    session.close();
  }
}
