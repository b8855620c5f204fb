package io.herald.client;

import io.herald.protocol.device.v1.NackCode;

/** How one frame given to {@link DeviceClient#send} ended. */
public sealed interface SendOutcome {

  String messageId();

  /** How many times the frame went out on a connection. */
  int attempts();

  /**
   * Herald acknowledged the frame: it is durable in Kafka, and the client forgot it.
   *
   * @param firstSentTick the client's logical clock when the frame first went out
   * @param lastSentTick the client's logical clock when it last went out
   * @param ackTick the client's logical clock when the ack arrived (ticks of one client are totally ordered)
   * @param latencyNanos from {@code send} to the ack, retries included
   */
  record Acked(String messageId, int attempts, long firstSentTick, long lastSentTick, long ackTick, long latencyNanos)
      implements SendOutcome {}

  /** Herald refused the frame with a code that a resend cannot change (not {@code RETRY_LATER}); it was dropped. */
  record Refused(String messageId, int attempts, NackCode code, String detail) implements SendOutcome {}

  /** The frame went out {@code attempts} times (the limit) without an ack; it was dropped. */
  record GaveUp(String messageId, int attempts, String lastReason) implements SendOutcome {}

  /**
   * The client stopped (closed, or could not reconnect within its limit) before an ack. The frame is still in the
   * durable outbox: a client started on the same directory sends it again with the same message id.
   */
  record Abandoned(String messageId, int attempts, String reason) implements SendOutcome {}
}
