package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.auth.Tokens;
import io.herald.gateway.ingress.IngressRecords;
import io.herald.gateway.rest.EntityQueries;
import io.herald.gateway.validation.DecodedFrame;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.gateway.validation.FrameValidator;
import io.herald.gateway.validation.Ownership;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Frames behind a valid signature: a token minted with the secret for a fuzzed user and device, then fuzzed frame bytes
 * through what every transport runs after the token check (decode and validate, the ownership check, the record for
 * Kafka). Each frame is refused with a nack of a defined code and the frame's own (bounded) message id, or becomes a
 * record that acts as the token's user and device, holds exactly the frame, and is bounded in bytes.
 *
 * <p>Every build replays the inputs under
 * src/test/resources/io/herald/gateway/SignedFrameFuzzTestInputs (surefire execution "fuzz");
 * {@code -Dherald.fuzz=true} fuzzes for 5 s, with {@code -Dherald.fuzz.long=true} for long (docs/fuzzing.md):
 * {@code mvn -pl gateway test-compile surefire:test@fuzz -Dherald.fuzz=true -Dherald.fuzz.long=true -Dtest=SignedFrameFuzzTest}.
 */
class SignedFrameFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  private static final String SECRET = "signed-frame-fuzz-test-secret-of-32-bytes-or-more";
  private static final int MAX_FRAME_BYTES = 65_536;
  private static final FrameLimits LIMITS = new FrameLimits(128, 256, 128, 4096, 256, 16384);
  private static final FrameDecoder DECODER = new FrameDecoder(LIMITS);
  private static final FrameValidator VALIDATOR = new FrameValidator(LIMITS);
  private static final TokenVerifier VERIFIER = new TokenVerifier(SECRET);
  private static final Set<NackCode> OWNERSHIP_CODES = Set.of(NackCode.UNKNOWN_DEVICE, NackCode.FORBIDDEN);

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5s")
  void framesOfAnAuthenticatedDevice(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5m")
  void framesOfAnAuthenticatedDeviceForLong(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) {
    // Any user and device the issuer may name (Tokens.mint refuses blank ones).
    String user = "u" + data.consumeString(LIMITS.maxIdLength() - 1);
    String device = "d" + data.consumeString(LIMITS.maxIdLength() - 1);
    // Whose device a set_desired names, as its Device entity would answer: nobody's, the user's, or another's.
    String owner = data.pickValue(new String[] {"", user, user + "-other"});
    byte[] frameBytes = data.consumeRemainingAsBytes();

    DeviceIdentity identity;
    try {
      identity = VERIFIER.verify(Tokens.mint(SECRET, user, device, Duration.ofMinutes(5)));
    } catch (InvalidTokenException refused) {
      throw new AssertionError("a token signed with the secret is refused", refused);
    }
    assertEquals(new DeviceIdentity(user, device), identity);

    DecodedFrame decoded = DECODER.decode(ByteBuffer.wrap(frameBytes));
    if (decoded instanceof DecodedFrame.Invalid invalid) {
      assertNotNull(invalid.detail());
      assertTrue(invalid.messageId().length() <= LIMITS.maxIdLength(), invalid.messageId());
      return;
    }
    var frame = ((DecodedFrame.Valid) decoded).frame();
    assertEquals(Optional.empty(), VALIDATOR.validate(frame));
    assertFalse(frame.getMessageId().isEmpty(), "a valid frame has a message id");

    Optional<ServerFrame> refusal = new Ownership(ownedBy(owner), Duration.ofSeconds(1), Runnable::run)
        .refusal(frame, identity.userId()).toCompletableFuture().join();
    if (refusal.isPresent()) {
      assertTrue(Ownership.applies(frame), "only set_desired waits for its device's owner");
      var nack = refusal.get().getNack();
      assertTrue(OWNERSHIP_CODES.contains(nack.getCode()), nack.toString());
      assertEquals(frame.getMessageId(), nack.getMessageId());
      return;
    }
    IngressRecord record = IngressRecords.of(frame, identity, Transport.WEBSOCKET, 1_800_000_000_000L);
    assertEquals(frame.getMessageId(), record.getMessageId());
    assertEquals(user, record.getUserId(), "the record acts as the token's user, whatever the frame says");
    assertEquals(device, record.getDeviceId());
    assertEquals(frame, record.getFrame());
    // Bounded in bytes: the frame (at most max-frame-bytes in every transport), the token's ids, and what protobuf
    // adds when it writes the frame again: a map entry sent without its key or value (2 bytes) is written with both
    // (up to 13 bytes for a double), for at most max-map-entries entries (the fuzzer found a 134-byte frame that
    // became 243 bytes).
    assertTrue(record.getSerializedSize() <= frameBytes.length + 4 * (user.length() + device.length()) + 64
            + 16 * LIMITS.maxMapEntries(),
        () -> record.getSerializedSize() + " bytes for a frame of " + frameBytes.length);
    assertTrue(frameBytes.length > MAX_FRAME_BYTES || record.getSerializedSize() <= MAX_FRAME_BYTES + 1024);
  }

  private static EntityQueries ownedBy(String owner) {
    return new EntityQueries() {
      @Override
      public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
        throw new AssertionError("no shadow is read on the way in");
      }

      @Override
      public CompletionStage<DeviceOwner> owner(String deviceId) {
        return CompletableFuture.completedFuture(
            DeviceOwner.newBuilder().setDeviceId(deviceId).setOwnerUserId(owner).build());
      }

      @Override
      public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq,
          int limit) {
        throw new AssertionError("no history is read on the way in");
      }

      @Override
      public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
        throw new AssertionError("no conversation list is read on the way in");
      }
    };
  }
}
