package io.herald.gateway.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.protocol.device.v1.AddMembers;
import io.herald.protocol.device.v1.ChatRead;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.LeaveConversation;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.RemoveMembers;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameValidatorTest {

  static final FrameLimits LIMITS = new FrameLimits(128, 4, 16, 32, 3, 100);

  private final FrameValidator validator = new FrameValidator(LIMITS);

  @Test
  void everyKindOfBodyPassesWhenWithinBounds() {
    assertValid(frame().setHello(Hello.newBuilder().setLastSeq(7).setClientVersion("1.2.3")));
    assertValid(frame().setHeartbeat(Heartbeat.getDefaultInstance()));
    assertValid(frame().setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5).putReadings("hum", 40)));
    assertValid(frame().setReportState(ReportState.newBuilder().putReported("mode", "eco")));
    assertValid(frame().setSetDesired(SetDesired.newBuilder().setDeviceId("other-device").putDesired("mode", "on")));
    assertValid(
        frame()
            .setCreateConversation(
                CreateConversation.newBuilder().setConversationId("c-1").addMemberUserIds("u-2")));
    assertValid(frame().setChatSend(ChatSend.newBuilder().setConversationId("c-1").setText("hi")));
    assertValid(frame().setChatRead(ChatRead.newBuilder().setConversationId("c-1").setUpToSeq(3)));
    assertValid(frame().setPushAck(PushAck.newBuilder().setUpToSeq(0)));
    assertValid(frame().setAddMembers(AddMembers.newBuilder().setConversationId("c-1").addMemberUserIds("u-3")));
    assertValid(frame().setRemoveMembers(RemoveMembers.newBuilder().setConversationId("c-1").addMemberUserIds("u-3")));
    assertValid(frame().setLeaveConversation(LeaveConversation.newBuilder().setConversationId("c-1")));
  }

  @Test
  void membershipChangesAreBoundedLikeCreations() {
    assertViolation(frame().setAddMembers(AddMembers.newBuilder().addMemberUserIds("u")),
        "add_members.conversation_id is empty");
    assertViolation(frame().setAddMembers(AddMembers.newBuilder().setConversationId("c")),
        "add_members.member_user_ids is empty");
    assertViolation(frame().setAddMembers(AddMembers.newBuilder().setConversationId("c")
        .addAllMemberUserIds(Collections.nCopies(4, "u"))), "add_members.member_user_ids has 4 entries, more than 3");
    assertViolation(frame().setRemoveMembers(RemoveMembers.newBuilder().setConversationId("c").addMemberUserIds("")),
        "remove_members.member_user_ids[] is empty");
    assertViolation(frame().setRemoveMembers(RemoveMembers.newBuilder().setConversationId("c")),
        "remove_members.member_user_ids is empty");
    assertViolation(frame().setLeaveConversation(LeaveConversation.newBuilder().setConversationId("c".repeat(129))),
        "leave_conversation.conversation_id is 129");
  }

  @Test
  void theMessageIdMustBeSetAndAtMost128Characters() {
    assertViolation(frame().setMessageId("").setHeartbeat(Heartbeat.getDefaultInstance()), "message_id is empty");
    assertValid(frame().setMessageId("m".repeat(128)).setHeartbeat(Heartbeat.getDefaultInstance()));
    assertViolation(
        frame().setMessageId("m".repeat(129)).setHeartbeat(Heartbeat.getDefaultInstance()), "message_id is 129");
    // Characters, not UTF-16 units: 128 emoji are 256 chars in Java but a valid id.
    assertValid(frame().setMessageId("\uD83D\uDE00".repeat(128)).setHeartbeat(Heartbeat.getDefaultInstance()));
  }

  @Test
  void aFrameNeedsABody() {
    assertViolation(frame(), "no body");
  }

  @Test
  void telemetryIsBounded() {
    Map<String, Double> five = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      five.put("k" + i, (double) i);
    }
    assertViolation(frame().setTelemetry(Telemetry.newBuilder().putAllReadings(five)), "5 entries, more than 4");
    assertViolation(frame().setTelemetry(Telemetry.newBuilder().putReadings("", 1)), "empty key");
    assertViolation(frame().setTelemetry(Telemetry.newBuilder().putReadings("k".repeat(17), 1)), "key is 17");
    assertViolation(frame().setTelemetry(Telemetry.newBuilder().putReadings("t", Double.NaN)), "not a finite");
    assertViolation(
        frame().setTelemetry(Telemetry.newBuilder().putReadings("t", Double.POSITIVE_INFINITY)), "not a finite");
  }

  @Test
  void shadowPropertiesAreBounded() {
    assertViolation(
        frame().setReportState(ReportState.newBuilder().putReported("mode", "x".repeat(33))),
        "report_state.reported['mode'] is 33");
    assertViolation(
        frame().setSetDesired(SetDesired.newBuilder().putDesired("mode", "on")), "set_desired.device_id is empty");
    assertViolation(
        frame().setSetDesired(SetDesired.newBuilder().setDeviceId("d").putDesired("", "on")),
        "set_desired.desired has an empty key");
  }

  @Test
  void conversationsAndChatsAreBounded() {
    assertViolation(
        frame().setCreateConversation(CreateConversation.newBuilder().addMemberUserIds("u")),
        "create_conversation.conversation_id is empty");
    assertViolation(
        frame()
            .setCreateConversation(
                CreateConversation.newBuilder()
                    .setConversationId("c")
                    .addAllMemberUserIds(Collections.nCopies(4, "u"))),
        "4 entries, more than 3");
    assertViolation(
        frame().setCreateConversation(CreateConversation.newBuilder().setConversationId("c").addMemberUserIds("")),
        "member_user_ids[] is empty");
    assertViolation(frame().setChatSend(ChatSend.newBuilder().setConversationId("c")), "chat_send.text is empty");
    assertViolation(
        frame().setChatSend(ChatSend.newBuilder().setConversationId("c").setText("x".repeat(101))),
        "chat_send.text is 101");
    assertViolation(frame().setChatSend(ChatSend.newBuilder().setText("hi")), "conversation_id is empty");
    assertViolation(
        frame().setChatRead(ChatRead.newBuilder().setConversationId("c").setUpToSeq(-1)), "up_to_seq is negative");
    assertViolation(frame().setPushAck(PushAck.newBuilder().setUpToSeq(-1)), "up_to_seq is negative");
    assertViolation(frame().setHello(Hello.newBuilder().setLastSeq(-1)), "last_seq is negative");
  }

  private static ClientFrame.Builder frame() {
    return ClientFrame.newBuilder().setMessageId("m-1").setSentAtMs(1);
  }

  private void assertValid(ClientFrame.Builder frame) {
    assertEquals(Optional.empty(), validator.validate(frame.build()));
  }

  private void assertViolation(ClientFrame.Builder frame, String expected) {
    Optional<FrameViolation> violation = validator.validate(frame.build());
    assertTrue(violation.isPresent(), "expected a violation: " + expected);
    assertTrue(
        violation.get().detail().contains(expected),
        () -> "'" + violation.get().detail() + "' should contain '" + expected + "'");
  }
}
