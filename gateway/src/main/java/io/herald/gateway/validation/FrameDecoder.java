package io.herald.gateway.validation;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.herald.protocol.device.v1.ClientFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/** Turns the bytes of one message into a validated {@link ClientFrame}. Transport-neutral and thread-safe. */
public final class FrameDecoder {

  private final FrameValidator validator;
  private final int maxIdLength;

  public FrameDecoder(FrameLimits limits) {
    this.validator = new FrameValidator(limits);
    this.maxIdLength = limits.maxIdLength();
  }

  public DecodedFrame decode(ByteBuffer bytes) {
    ClientFrame frame;
    try {
      frame = ClientFrame.parseFrom(bytes.duplicate());
    } catch (InvalidProtocolBufferException e) {
      return new DecodedFrame.Invalid(peekMessageId(bytes), "not a ClientFrame: " + e.getMessage());
    }
    Optional<FrameViolation> violation = validator.validate(frame);
    if (violation.isPresent()) {
      String messageId = frame.getMessageId();
      return new DecodedFrame.Invalid(
          messageId.length() <= maxIdLength ? messageId : "", violation.get().detail());
    }
    return new DecodedFrame.Valid(frame);
  }

  /**
   * Best effort: the message id of bytes that are not a whole frame (they do not decode, or were cut at the size
   * limit), so the client can tell which of its frames a nack is about. Encoders write field 1 first, so it is
   * usually within the first bytes. Empty when it cannot be found.
   */
  public String peekMessageId(ByteBuffer bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes.duplicate());
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (WireFormat.getTagFieldNumber(tag) == ClientFrame.MESSAGE_ID_FIELD_NUMBER
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          String messageId = in.readStringRequireUtf8();
          return messageId.length() <= maxIdLength ? messageId : "";
        }
        if (tag == 0 || !in.skipField(tag)) {
          return "";
        }
      }
    } catch (IOException e) {
      // Not readable as far as field 1: the nack goes out without a message id.
    }
    return "";
  }
}
