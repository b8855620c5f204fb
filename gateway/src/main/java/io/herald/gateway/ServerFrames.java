package io.herald.gateway;

import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.Ack;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Welcome;
import java.time.Duration;

/** The replies the gateway itself sends. Shared by the transports so every one says the same thing. */
public final class ServerFrames {

  private ServerFrames() {}

  /** The frame is durable in Kafka: the client may forget it. */
  public static ServerFrame ack(String messageId) {
    return ServerFrame.newBuilder().setAck(Ack.newBuilder().setMessageId(messageId)).build();
  }

  /** A refusal that resending unchanged will not fix ({@code INVALID}, {@code TOO_LARGE}, ...). */
  public static ServerFrame nack(String messageId, NackCode code, String detail) {
    return ServerFrame.newBuilder()
        .setNack(Nack.newBuilder().setMessageId(messageId).setCode(code).setDetail(detail))
        .build();
  }

  /** The gateway could not take the frame now: resend it with the same message id after {@code retryAfter}. */
  public static ServerFrame retryLater(String messageId, Duration retryAfter, String detail) {
    return ServerFrame.newBuilder()
        .setNack(
            Nack.newBuilder()
                .setMessageId(messageId)
                .setCode(NackCode.RETRY_LATER)
                .setRetryAfterMs(retryAfter.toMillis())
                .setDetail(detail))
        .build();
  }

  /**
   * The last frame of a session the server closes (e.g. a slow subscriber): not about any one frame of the client
   * (empty message id); reconnect after {@code retryAfter} and resume with {@code hello.last_seq}.
   */
  public static ServerFrame sessionClosed(Duration retryAfter, String reason) {
    return retryLater("", retryAfter, reason);
  }

  public static ServerFrame welcome(DeviceIdentity identity, long resumedFromSeq, long serverTimeMs) {
    return ServerFrame.newBuilder()
        .setWelcome(
            Welcome.newBuilder()
                .setUserId(identity.userId())
                .setDeviceId(identity.deviceId())
                .setResumedFromSeq(resumedFromSeq)
                .setServerTimeMs(serverTimeMs))
        .build();
  }
}
