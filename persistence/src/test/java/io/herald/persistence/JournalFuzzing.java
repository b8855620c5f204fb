package io.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.Message;
import io.herald.signals.serialization.ProtobufSerializer;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The properties the entities' journal and snapshot forms are fuzzed for: bytes as the journal holds them, read the way
 * Pekko Persistence reads them (the serializer by manifest, then the entity's adapter), give the entity's events or
 * state, or one of the documented exceptions: {@link NotSerializableException} for bytes that are not the manifest's
 * message, {@link IllegalArgumentException} for a message that is not one of the entity's events. What they give
 * survives being written and read again unchanged.
 */
public final class JournalFuzzing {

  // Every message of herald.events.v1 and one of another package: the entity's own and what it must refuse.
  public static final List<String> MANIFESTS = List.of("herald.events.v1.TelemetryRecorded", "herald.events.v1.ReportedStateChanged", "herald.events.v1.DesiredStateChanged", "herald.events.v1.PresenceChanged",
      "herald.events.v1.PushEnqueued", "herald.events.v1.PushesAcknowledged", "herald.events.v1.ConversationCreated", "herald.events.v1.ChatMessageAppended", "herald.events.v1.ReadPointerMoved",
      "herald.events.v1.FanOutProgressed", "herald.events.v1.ChatSendParked", "herald.events.v1.ParkedChatSendRefused",
      "herald.events.v1.ConversationMembersChanged", "herald.events.v1.ConversationMembersNotified",
      "herald.device.v1.ClientFrame");

  private static final ProtobufSerializer SERIALIZER = new ProtobufSerializer(null);

  private JournalFuzzing() {}

  /** Bytes stored under a manifest picked from {@code manifests} (or any string), read as one of the entity's events. */
  public static <E> void events(FuzzedDataProvider data, List<String> manifests, EventAdapter<E, Message> adapter) {
    String manifest = data.consumeBoolean() ? data.pickValue(manifests) : data.consumeString(64);
    Message stored;
    try {
      stored = (Message) SERIALIZER.fromBinary(data.consumeRemainingAsBytes(), manifest);
    } catch (NotSerializableException notThisMessage) {
      return;
    }
    List<E> events;
    try {
      events = CollectionConverters.asJava(adapter.fromJournal(stored, "").events());
    } catch (IllegalArgumentException notThisEntitysEvent) {
      return;
    }
    for (E event : events) {
      Message written = adapter.toJournal(event);
      assertEquals(event, CollectionConverters.asJava(adapter.fromJournal(reread(written), "").events()).get(0),
          "an event survives being written and read again");
    }
  }

  /** Bytes stored as the entity's snapshot ({@code manifest}), read as its state. */
  public static <S> void snapshot(FuzzedDataProvider data, String manifest, SnapshotAdapter<S> adapter) {
    Message stored;
    try {
      stored = (Message) SERIALIZER.fromBinary(data.consumeRemainingAsBytes(), manifest);
    } catch (NotSerializableException notThisMessage) {
      return;
    }
    Message written = (Message) adapter.toJournal(adapter.fromJournal(stored));
    Message again = (Message) adapter.toJournal(adapter.fromJournal(reread(written)));
    assertEquals(written, again, "a state survives being written and read again");
  }

  private static Message reread(Message written) {
    try {
      return (Message) SERIALIZER.fromBinary(SERIALIZER.toBinary(written), SERIALIZER.manifest(written));
    } catch (NotSerializableException e) {
      throw new AssertionError("what Herald writes, it reads", e);
    }
  }
}
