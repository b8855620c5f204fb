package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.validation.DecodedFrame;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.gateway.validation.FrameValidator;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Untrusted input from the network, fuzzed with Jazzer: a token string and frame bytes. Whatever they are, decoding,
 * validation and token checks answer with a value or their documented exception, never anything else, and agree with
 * each other.
 *
 * <p>Every build replays the inputs under src/test/resources/io/herald/gateway/GatewayFuzzTestInputs (surefire
 * execution "fuzz"); {@code -Dherald.fuzz=true} fuzzes for 10 s, with {@code -Dherald.fuzz.long=true} for 30 min
 * (docs/fuzzing.md). A finding fails the test and leaves its input as a reproducer.
 */
class GatewayFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  private static final FrameLimits LIMITS = new FrameLimits(128, 256, 128, 4096, 256, 16384);
  private static final FrameDecoder DECODER = new FrameDecoder(LIMITS);
  private static final FrameValidator VALIDATOR = new FrameValidator(LIMITS);
  private static final TokenVerifier VERIFIER = new TokenVerifier("gateway-fuzz-test-secret-of-32-bytes-or-more");

  /** In every build: 10 s of fuzzing. */
  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "10s")
  void framesAndTokensFromTheNetwork(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  /** On demand: {@code mvn -pl gateway test-compile surefire:test@fuzz -Dherald.fuzz.long=true}. */
  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "30m")
  void framesAndTokensFromTheNetworkForLong(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) {
    String token = data.consumeString(1024);
    byte[] frame = data.consumeRemainingAsBytes();

    try {
      DeviceIdentity identity = VERIFIER.verify(token);
      // A random string is never a token signed with the secret; if it ever passes, it must at least be complete.
      assertNotNull(identity.userId());
      assertNotNull(identity.deviceId());
    } catch (InvalidTokenException refused) {
      assertNotNull(refused.reason());
    }

    DecodedFrame decoded = DECODER.decode(ByteBuffer.wrap(frame));
    if (decoded instanceof DecodedFrame.Valid valid) {
      // What the decoder lets through, the validator accepts too (one set of rules).
      assertEquals(Optional.empty(), VALIDATOR.validate(valid.frame()));
      // It re-encodes and decodes to the same frame (what goes to Kafka is what the client meant).
      assertEquals(valid, DECODER.decode(ByteBuffer.wrap(valid.frame().toByteArray())));
    } else {
      DecodedFrame.Invalid invalid = (DecodedFrame.Invalid) decoded;
      assertNotNull(invalid.detail());
      assertTrue(invalid.messageId().length() <= LIMITS.maxIdLength(), invalid.messageId());
    }
    String peeked = DECODER.peekMessageId(ByteBuffer.wrap(frame));
    assertTrue(peeked.length() <= LIMITS.maxIdLength(), peeked);
  }
}
