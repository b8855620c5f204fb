package io.herald.load.check;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.DeviceSnapshot;
import io.herald.protocol.events.v1.ReportedStateChanged;
import io.herald.protocol.events.v1.TelemetryRecorded;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Reads what Herald applied from its Cassandra journal (Pekko Persistence Cassandra's {@code messages} table): the
 * events of one entity, in sequence_nr order, decoded with the Protobuf event schemas.
 */
public final class CassandraJournal implements AutoCloseable {

  /** The persistence id prefix of Device entities (entity type name + Pekko's separator). */
  public static final String DEVICE_PREFIX = "Device|";
  public static final String CONVERSATION_PREFIX = "Conversation|";

  private static final String TELEMETRY_MANIFEST = TelemetryRecorded.getDescriptor().getFullName();
  private static final String REPORTED_MANIFEST = ReportedStateChanged.getDescriptor().getFullName();
  private static final String CHAT_MANIFEST = ChatMessageAppended.getDescriptor().getFullName();
  private static final String DEVICE_SNAPSHOT_MANIFEST = DeviceSnapshot.getDescriptor().getFullName();
  /** The writer of an entry known only from a snapshot (its event was deleted by retention). */
  public static final String FROM_SNAPSHOT = "snapshot";

  /** One message of a conversation, as its entity appended it (its text too), with the journal row that holds it. */
  public record ChatMessage(JournalEntry entry, String senderUserId, long conversationSeq, String text) {

    public String messageId() {
      return entry.messageId();
    }
  }

  private final CqlSession session;
  private final PreparedStatement eventsOfPartition;
  private final PreparedStatement latestSnapshot;

  private CassandraJournal(CqlSession session, String keyspace) {
    this.session = session;
    this.latestSnapshot = session.prepare("SELECT ser_manifest, snapshot_data FROM "
        + CqlIdentifier.fromInternal(keyspace).asCql(true)
        + ".snapshots WHERE persistence_id = ? ORDER BY sequence_nr DESC LIMIT 1");
    this.eventsOfPartition = session.prepare("SELECT persistence_id, sequence_nr, timestamp, writer_uuid, ser_manifest, event FROM "
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

  /**
   * The message ids of a device's applied frames (telemetry and reported state: one device's stream, one order), in
   * applied order, duplicates included.
   */
  public List<String> deviceMessageIds(String deviceId) {
    return deviceEntries(deviceId).stream().map(JournalEntry::messageId).toList();
  }

  /**
   * As {@link #deviceMessageIds}, with the writer, sequence number and time of each row. Herald deletes a device's
   * events older than its older kept snapshot (retention), so a device with more than a few hundred events has lost
   * its first ones from the journal: the message ids its latest snapshot remembers (its deduplication window, in
   * applied order) and the journal no longer holds come first, with sequence number 0 and writer {@link
   * #FROM_SNAPSHOT}. Only ids older than the window can then be missing.
   */
  public List<JournalEntry> deviceEntries(String deviceId) {
    var entries = new ArrayList<JournalEntry>();
    forEachEvent(DEVICE_PREFIX + deviceId, (row, manifest, event) -> {
      if (TELEMETRY_MANIFEST.equals(manifest)) {
        var telemetry = TelemetryRecorded.parseFrom(event);
        entries.add(entry(row, telemetry.getMessageId(), telemetry.getReceivedAtMs()));
      } else if (REPORTED_MANIFEST.equals(manifest)) {
        entries.add(entry(row, ReportedStateChanged.parseFrom(event).getMessageId(), 0));
      }
    });
    var inJournal = new HashSet<String>();
    entries.forEach(entry -> inJournal.add(entry.messageId()));
    var deleted = new ArrayList<JournalEntry>();
    for (String messageId : snapshotWindow(DEVICE_PREFIX + deviceId)) {
      if (!inJournal.contains(messageId)) {
        deleted.add(new JournalEntry(messageId, DEVICE_PREFIX + deviceId, 0, FROM_SNAPSHOT, 0, 0));
      }
    }
    deleted.addAll(entries);
    return deleted;
  }

  private List<String> snapshotWindow(String persistenceId) {
    Row row = session.execute(latestSnapshot.bind(persistenceId)).one();
    if (row == null || !DEVICE_SNAPSHOT_MANIFEST.equals(row.getString("ser_manifest"))) {
      return List.of();
    }
    try {
      return DeviceSnapshot.parseFrom(row.getByteBuffer("snapshot_data")).getRecentMessageIdsList();
    } catch (InvalidProtocolBufferException e) {
      throw new JournalReadException("undecodable snapshot of " + persistenceId, e);
    }
  }

  /** A conversation's messages in conversation order, duplicates included. */
  public List<ChatMessage> conversationMessages(String conversationId) {
    var messages = new ArrayList<ChatMessage>();
    forEachEvent(CONVERSATION_PREFIX + conversationId, (row, manifest, event) -> {
      if (CHAT_MANIFEST.equals(manifest)) {
        var appended = ChatMessageAppended.parseFrom(event);
        messages.add(new ChatMessage(entry(row, appended.getMessageId(), appended.getReceivedAtMs()),
            appended.getSenderUserId(),
            appended.getConversationSeq(), appended.getText()));
      }
    });
    return messages;
  }

  private interface EventReader {
    void read(Row row, String manifest, ByteBuffer event) throws InvalidProtocolBufferException;
  }

  private static JournalEntry entry(Row row, String messageId, long receivedAtMs) {
    var writer = row.getString("writer_uuid");
    return new JournalEntry(messageId, row.getString("persistence_id"), row.getLong("sequence_nr"),
        writer == null ? "" : writer, Uuids.unixTimestamp(row.getUuid("timestamp")), receivedAtMs);
  }

  private void forEachEvent(String persistenceId, EventReader reader) {
    // The journal spreads an entity over partitions of a fixed size; the first empty one is past its end.
    for (long partition = 0; ; partition++) {
      boolean any = false;
      for (Row row : session.execute(eventsOfPartition.bind(persistenceId, partition))) {
        any = true;
        try {
          reader.read(row, row.getString("ser_manifest"), row.getByteBuffer("event"));
        } catch (InvalidProtocolBufferException e) {
          throw new JournalReadException("undecodable " + row.getString("ser_manifest") + " of " + persistenceId
              + " at " + row.getLong("sequence_nr"), e);
        }
      }
      if (!any) {
        return;
      }
    }
  }

  @Override
  public void close() {
    session.close();
  }
}
