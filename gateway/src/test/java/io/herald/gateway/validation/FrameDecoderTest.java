package io.herald.gateway.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Telemetry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

  private final FrameDecoder decoder = new FrameDecoder(FrameValidatorTest.LIMITS);

  @Test
  void aValidFrameDecodes() {
    ClientFrame frame =
        ClientFrame.newBuilder().setMessageId("m-1").setTelemetry(Telemetry.newBuilder().putReadings("t", 1)).build();

    DecodedFrame decoded = decoder.decode(ByteBuffer.wrap(frame.toByteArray()));

    assertEquals(new DecodedFrame.Valid(frame), decoded);
  }

  @Test
  void bytesCutShortAreInvalidAndKeepTheirMessageId() {
    byte[] whole =
        ClientFrame.newBuilder().setMessageId("m-2").setTelemetry(Telemetry.newBuilder().putReadings("t", 1))
            .build().toByteArray();

    DecodedFrame decoded = decoder.decode(ByteBuffer.wrap(Arrays.copyOf(whole, whole.length - 1)));

    DecodedFrame.Invalid invalid = assertInstanceOf(DecodedFrame.Invalid.class, decoded);
    assertEquals("m-2", invalid.messageId());
    assertTrue(invalid.detail().startsWith("not a ClientFrame"), invalid.detail());
  }

  @Test
  void garbageIsInvalidWithoutMessageId() {
    DecodedFrame decoded = decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));

    assertEquals("", assertInstanceOf(DecodedFrame.Invalid.class, decoded).messageId());
  }

  @Test
  void aFrameBreakingARuleIsInvalidWithItsMessageId() {
    ClientFrame noBody = ClientFrame.newBuilder().setMessageId("m-3").build();

    DecodedFrame.Invalid invalid =
        assertInstanceOf(DecodedFrame.Invalid.class, decoder.decode(ByteBuffer.wrap(noBody.toByteArray())));

    assertEquals("m-3", invalid.messageId());
    assertTrue(invalid.detail().contains("no body"), invalid.detail());
  }

  @Test
  void theMessageIdIsFoundInThePrefixOfAnOversizedFrame() {
    byte[] large =
        ClientFrame.newBuilder()
            .setMessageId("m-4")
            .setTelemetry(Telemetry.newBuilder().setRaw(ByteString.copyFrom(new byte[10_000])))
            .build()
            .toByteArray();

    assertEquals("m-4", decoder.peekMessageId(ByteBuffer.wrap(large, 0, 100)));
  }

  @Test
  void theMessageIdIsFoundAfterOtherFields() {
    // Field order on the wire is up to the encoder; sent_at_ms (field 2) before message_id (field 1) is legal.
    byte[] sentAt = ClientFrame.newBuilder().setSentAtMs(12345).build().toByteArray();
    byte[] rest =
        ClientFrame.newBuilder().setMessageId("m-5").setHeartbeat(Heartbeat.getDefaultInstance()).build().toByteArray();
    byte[] both = Arrays.copyOf(sentAt, sentAt.length + rest.length);
    System.arraycopy(rest, 0, both, sentAt.length, rest.length);

    assertEquals("m-5", decoder.peekMessageId(ByteBuffer.wrap(both)));
  }
}
