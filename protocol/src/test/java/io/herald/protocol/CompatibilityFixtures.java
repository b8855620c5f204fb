package io.herald.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.herald.protocol.device.v1.Ack;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ChatRead;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.DesiredState;
import io.herald.protocol.device.v1.DeviceUpdate;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ReadReceipt;
import io.herald.protocol.device.v1.Rejected;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.device.v1.Welcome;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.ChatSendParked;
import io.herald.protocol.events.v1.ConversationCreated;
import io.herald.protocol.events.v1.ConversationSnapshot;
import io.herald.protocol.events.v1.DesiredStateChanged;
import io.herald.protocol.events.v1.DeviceSnapshot;
import io.herald.protocol.events.v1.ParkedChatSendRefused;
import io.herald.protocol.events.v1.PresenceChanged;
import io.herald.protocol.events.v1.PushEnqueued;
import io.herald.protocol.events.v1.PushesAcknowledged;
import io.herald.protocol.events.v1.ReadPointerMoved;
import io.herald.protocol.events.v1.ReadingStats;
import io.herald.protocol.events.v1.ReportedStateChanged;
import io.herald.protocol.events.v1.ShadowSnapshot;
import io.herald.protocol.events.v1.TelemetryRecorded;
import io.herald.protocol.events.v1.UserSnapshot;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Messages as the v1 schema wrote them. Their bytes are stored under src/test/resources/compat/v1; the
 * compatibility test decodes those stored bytes with today's schema and compares them with these values.
 * Never change an existing entry: add new ones (and run {@link #main} to store the new bytes).
 */
public final class CompatibilityFixtures {

  private CompatibilityFixtures() {}

  public static Map<String, Message> v1() {
    var frames = new LinkedHashMap<String, Message>();
    frames.put("client-hello", client("m-hello").setHello(Hello.newBuilder().setLastSeq(41).setClientVersion("fw-1.2")).build());
    frames.put("client-heartbeat", client("m-hb").setHeartbeat(Heartbeat.getDefaultInstance()).build());
    frames.put("client-telemetry", client("m-tel").setTelemetry(Telemetry.newBuilder()
        .putReadings("temp", 21.5).putReadings("hum", 40).setRaw(ByteString.copyFromUtf8("raw-bytes"))).build());
    frames.put("client-report-state", client("m-rep").setReportState(ReportState.newBuilder().putReported("fw", "1.2")).build());
    frames.put("client-set-desired", client("m-des").setSetDesired(SetDesired.newBuilder().setDeviceId("d-1").putDesired("led", "on")).build());
    frames.put("client-create-conversation", client("m-cc").setCreateConversation(CreateConversation.newBuilder()
        .setConversationId("c-1").addMemberUserIds("u-1").addMemberUserIds("u-2")).build());
    frames.put("client-chat-send", client("m-cs").setChatSend(ChatSend.newBuilder().setConversationId("c-1").setText("héllo")).build());
    frames.put("client-chat-read", client("m-cr").setChatRead(ChatRead.newBuilder().setConversationId("c-1").setUpToSeq(7)).build());
    frames.put("client-push-ack", client("m-pa").setPushAck(PushAck.newBuilder().setUpToSeq(12)).build());

    frames.put("server-ack", ServerFrame.newBuilder().setAck(Ack.newBuilder().setMessageId("m-tel")).build());
    frames.put("server-nack", ServerFrame.newBuilder().setNack(Nack.newBuilder().setMessageId("m-tel")
        .setCode(NackCode.RETRY_LATER).setRetryAfterMs(1000).setDetail("kafka unavailable")).build());
    frames.put("server-welcome", ServerFrame.newBuilder().setWelcome(Welcome.newBuilder().setUserId("u-1")
        .setDeviceId("d-1").setResumedFromSeq(41).setServerTimeMs(1_790_000_000_000L)).build());
    frames.put("server-push-chat", ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(42).setChatMessage(
        ChatMessage.newBuilder().setConversationId("c-1").setConversationSeq(9).setSenderUserId("u-2")
            .setMessageId("m-x").setText("hi").setSentAtMs(1_790_000_000_001L))).build());
    frames.put("server-push-desired", ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(43).setDesiredState(
        DesiredState.newBuilder().setDeviceId("d-1").putProperties("led", "on").setVersion(3))).build());
    frames.put("server-push-device-update", ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(44).setDeviceUpdate(
        DeviceUpdate.newBuilder().setDeviceId("d-1").putReported("fw", "1.2").setOnline(true).setVersion(4))).build());
    frames.put("server-push-read-receipt", ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(45).setReadReceipt(
        ReadReceipt.newBuilder().setConversationId("c-1").setUserId("u-2").setUpToSeq(9))).build());
    frames.put("server-push-rejected", ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(46).setRejected(
        Rejected.newBuilder().setMessageId("m-cs").setCode(NackCode.FORBIDDEN).setDetail("not a member"))).build());

    frames.put("ingress-record", IngressRecord.newBuilder().setMessageId("m-tel").setUserId("u-1").setDeviceId("d-1")
        .setReceivedAtMs(1_790_000_000_002L).setTransport(Transport.WEBSOCKET)
        .setFrame((ClientFrame) frames.get("client-telemetry")).build());

    frames.put("event-telemetry-recorded", TelemetryRecorded.newBuilder().setMessageId("m-tel").setUserId("u-1")
        .setDeviceId("d-1").putReadings("temp", 21.5).setRaw(ByteString.copyFromUtf8("raw-bytes"))
        .setSentAtMs(1_790_000_000_000L).setReceivedAtMs(1_790_000_000_002L).build());
    frames.put("snapshot-device", DeviceSnapshot.newBuilder().setDeviceId("d-1").setOwnerUserId("u-1")
        .putReadings("temp", ReadingStats.newBuilder().setLast(21.5).setCount(3).setLastAtMs(1_790_000_000_002L).build())
        .addRecentMessageIds("m-1").addRecentMessageIds("m-tel").setTelemetryCount(3).build());
    frames.put("event-conversation-created", ConversationCreated.newBuilder().setMessageId("m-cc").setConversationId("c-1")
        .setCreatorUserId("u-1").addMemberUserIds("u-1").addMemberUserIds("u-2").setCreatedAtMs(1_790_000_000_003L).build());
    frames.put("event-chat-message-appended", ChatMessageAppended.newBuilder().setMessageId("m-cs").setConversationSeq(9)
        .setSenderUserId("u-1").setText("héllo").setSentAtMs(1_790_000_000_000L).setReceivedAtMs(1_790_000_000_004L).build());
    frames.put("event-read-pointer-moved", ReadPointerMoved.newBuilder().setMessageId("m-cr").setUserId("u-2").setUpToSeq(9).build());
    frames.put("snapshot-conversation", ConversationSnapshot.newBuilder().setConversationId("c-1").addMemberUserIds("u-1")
        .addMemberUserIds("u-2").setLastSeq(9).putReadPointers("u-2", 9).addRecentMessageIds("m-cs").build());
    var push = ((ServerFrame) frames.get("server-push-chat")).getPush();
    frames.put("event-push-enqueued", PushEnqueued.newBuilder().setCauseId("m-x/chat").setPush(push).build());
    frames.put("event-pushes-acknowledged", PushesAcknowledged.newBuilder().setMessageId("m-pa").setUpToSeq(12).build());
    frames.put("snapshot-user", UserSnapshot.newBuilder().setUserId("u-1").setLastSeq(42).setAckedSeq(41).addOutbox(push)
        .addRecentIds("m-pa").build());
    frames.put("event-reported-state-changed", ReportedStateChanged.newBuilder().setMessageId("m-rep").setUserId("u-1")
        .putReported("fw", "1.2").setVersion(3).setAtMs(1_790_000_000_005L).build());
    frames.put("event-desired-state-changed", DesiredStateChanged.newBuilder().setMessageId("m-des").setUserId("u-1")
        .putDesired("led", "on").setVersion(4).setAtMs(1_790_000_000_006L).build());
    frames.put("event-presence-changed", PresenceChanged.newBuilder().setCauseId("m-hb/online").setOnline(true)
        .setAtMs(1_790_000_000_007L).setUserId("u-1").build());
    frames.put("snapshot-device-with-shadow", DeviceSnapshot.newBuilder().setDeviceId("d-1").setOwnerUserId("u-1")
        .setShadow(ShadowSnapshot.newBuilder().putReported("fw", "1.2").putDesired("led", "on").setVersion(4)
            .setOnline(true).setLastSeenMs(1_790_000_000_007L)).build());
    frames.put("event-chat-send-parked", ChatSendParked.newBuilder().setMessageId("m-early").setSenderUserId("u-2")
        .setText("too soon").setSentAtMs(1_790_000_000_000L).setReceivedAtMs(1_790_000_000_008L).build());
    frames.put("event-parked-chat-send-refused", ParkedChatSendRefused.newBuilder().setMessageId("m-early").build());
    frames.put("snapshot-conversation-with-parked", ConversationSnapshot.newBuilder().setConversationId("c-2")
        .addParked(ChatSendParked.newBuilder().setMessageId("m-early").setSenderUserId("u-2").setText("too soon")
            .setReceivedAtMs(1_790_000_000_008L)).build());
    return frames;
  }

  private static ClientFrame.Builder client(String messageId) {
    return ClientFrame.newBuilder().setMessageId(messageId).setSentAtMs(1_790_000_000_000L);
  }

  /** Stores the bytes of entries that have none yet. Existing files are never rewritten. */
  public static void main(String[] args) throws Exception {
    var dir = Path.of(args.length > 0 ? args[0] : "protocol/src/test/resources/compat/v1");
    Files.createDirectories(dir);
    for (var entry : v1().entrySet()) {
      var file = dir.resolve(entry.getKey() + ".bin");
      if (Files.notExists(file)) {
        Files.write(file, entry.getValue().toByteArray());
        System.out.println("stored " + file);
      }
    }
  }
}
