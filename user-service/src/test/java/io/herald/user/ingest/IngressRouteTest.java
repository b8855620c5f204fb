package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.herald.protocol.device.v1.AddMembers;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.LeaveConversation;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.RemoveMembers;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngressRouteTest {

  @Test
  void aTombstoneIsDeadLetteredNotAFailureOfTheStream() {
    assertInstanceOf(IngressRoute.Undeliverable.class, IngressRoute.of(null));
  }

  @Test
  void aRecordWithoutTheIdsItsEntityNeedsIsDeadLettered() {
    var telemetry = IngressRecord.newBuilder().setMessageId("m-1").setUserId("u-1")
        .setFrame(ClientFrame.newBuilder().setMessageId("m-1").setTelemetry(Telemetry.getDefaultInstance())).build();
    assertInstanceOf(IngressRoute.Undeliverable.class, IngressRoute.of(telemetry.toByteArray()), "no device id");
    assertEquals(new IngressRoute.ToEntity(telemetry.toBuilder().setDeviceId("d-1").build(), IngressRoute.Entity.DEVICE,
        "d-1"), IngressRoute.of(telemetry.toBuilder().setDeviceId("d-1").build().toByteArray()));
    var ack = IngressRecord.newBuilder().setMessageId("m-2").setDeviceId("d-1")
        .setFrame(ClientFrame.newBuilder().setMessageId("m-2").setPushAck(PushAck.getDefaultInstance())).build();
    assertInstanceOf(IngressRoute.Undeliverable.class, IngressRoute.of(ack.toByteArray()), "no user id");
  }

  @Test
  void membershipFramesGoToTheirConversation() {
    for (var frame : List.of(
        ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder().setConversationId("c-1").addMemberUserIds("bob")),
        ClientFrame.newBuilder().setRemoveMembers(RemoveMembers.newBuilder().setConversationId("c-1")
            .addMemberUserIds("bob")),
        ClientFrame.newBuilder().setLeaveConversation(LeaveConversation.newBuilder().setConversationId("c-1")))) {
      var record = IngressRecord.newBuilder().setMessageId("m-1").setUserId("u-1").setDeviceId("d-1")
          .setFrame(frame.setMessageId("m-1")).build();
      assertEquals(new IngressRoute.ToEntity(record, IngressRoute.Entity.CONVERSATION, "c-1"),
          IngressRoute.of(record.toByteArray()), frame.getBodyCase().toString());
    }
  }
}
