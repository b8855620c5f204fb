package io.herald.gateway.validation;

import io.herald.protocol.device.v1.ClientFrame;

/** What the bytes of one message turned out to be. */
public sealed interface DecodedFrame {

  /** A frame that decodes and passes validation. */
  record Valid(ClientFrame frame) implements DecodedFrame {}

  /**
   * Bytes that do not decode or a frame that breaks a rule: answered with {@code INVALID}.
   *
   * @param messageId the frame's message id if it could be read, else empty
   * @param detail why, for the client
   */
  record Invalid(String messageId, String detail) implements DecodedFrame {}
}
