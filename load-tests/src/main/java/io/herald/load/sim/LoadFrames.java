package io.herald.load.sim;

import com.google.protobuf.ByteString;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.Telemetry;
import java.util.UUID;

/** The frames simulated devices send (and the raw baselines size their records by), each with a new message id. */
public final class LoadFrames {

  private LoadFrames() {}

  public static ClientFrame telemetry(long reading) {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setSentAtMs(System.currentTimeMillis())
        .setTelemetry(Telemetry.newBuilder().putReadings("reading", reading).putReadings("temp", 20 + reading % 10)
            .setRaw(ByteString.copyFromUtf8("load")))
        .build();
  }

  /** A shadow report whose value changes every time, so each is an event of the Device entity. */
  public static ClientFrame reportState(long reading) {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setSentAtMs(System.currentTimeMillis())
        .setReportState(ReportState.newBuilder().putReported("reading", Long.toString(reading)))
        .build();
  }

  public static ClientFrame chat(String conversationId, long reading) {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setSentAtMs(System.currentTimeMillis())
        .setChatSend(ChatSend.newBuilder().setConversationId(conversationId).setText("message " + reading))
        .build();
  }
}
