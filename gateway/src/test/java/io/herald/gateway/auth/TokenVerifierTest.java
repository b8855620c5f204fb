package io.herald.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.herald.gateway.auth.InvalidTokenException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

  private static final String SECRET = "test-secret-0123456789-0123456789";
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private final TokenVerifier verifier = new TokenVerifier(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aMintedTokenProvesItsUserAndDevice() throws InvalidTokenException {
    String token = Tokens.mint(SECRET, "user-1", "device-1", Duration.ofHours(1), NOW.minusSeconds(60));

    assertEquals(new DeviceIdentity("user-1", "device-1"), verifier.verify(token));
  }

  @Test
  void aTokenSignedWithAnotherSecretIsRefused() {
    String forged = Tokens.mint("another-secret", "user-1", "device-1", Duration.ofHours(1), NOW);

    assertRefused(forged, Reason.BAD_SIGNATURE);
  }

  @Test
  void aTokenWithAnotherAlgorithmIsRefused() {
    String hs512 = JWT.create().withSubject("u").withClaim("device", "d").withExpiresAt(NOW.plusSeconds(60))
        .sign(Algorithm.HMAC512(SECRET));
    String unsigned = JWT.create().withSubject("u").withClaim("device", "d").withExpiresAt(NOW.plusSeconds(60))
        .sign(Algorithm.none());

    assertRefused(hs512, Reason.BAD_SIGNATURE);
    assertRefused(unsigned, Reason.BAD_SIGNATURE);
  }

  @Test
  void anExpiredTokenIsRefused() {
    String expired = Tokens.mint(SECRET, "user-1", "device-1", Duration.ofHours(1), NOW.minus(Duration.ofHours(2)));

    InvalidTokenException refused = assertRefused(expired, Reason.EXPIRED);
    assertEquals("token expired at " + NOW.minus(Duration.ofHours(1)), refused.getMessage());
  }

  @Test
  void aTokenWithoutSubjectDeviceOrExpiryIsRefused() {
    Algorithm hs256 = Algorithm.HMAC256(SECRET);
    Instant later = NOW.plusSeconds(600);

    assertRefused(JWT.create().withClaim("device", "d").withExpiresAt(later).sign(hs256), Reason.MISSING_CLAIM);
    assertRefused(JWT.create().withSubject("u").withExpiresAt(later).sign(hs256), Reason.MISSING_CLAIM);
    assertRefused(JWT.create().withSubject("u").withClaim("device", "d").sign(hs256), Reason.MISSING_CLAIM);
    assertRefused(
        JWT.create().withSubject("").withClaim("device", "d").withExpiresAt(later).sign(hs256), Reason.MISSING_CLAIM);
    assertRefused(
        JWT.create().withSubject("u").withClaim("device", 42).withExpiresAt(later).sign(hs256), Reason.MISSING_CLAIM);
  }

  @Test
  void aTokenNotValidYetIsRefused() {
    String notYet = JWT.create().withSubject("u").withClaim("device", "d").withNotBefore(NOW.plusSeconds(600))
        .withExpiresAt(NOW.plusSeconds(1200)).sign(Algorithm.HMAC256(SECRET));

    assertRefused(notYet, Reason.INVALID_CLAIM);
  }

  @Test
  void garbageIsRefused() {
    assertRefused("not-a-jwt", Reason.MALFORMED);
    assertRefused("a.b.c", Reason.MALFORMED);
    assertRefused("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0", Reason.MALFORMED);
  }

  @Test
  void noTokenIsRefused() {
    assertRefused(null, Reason.MISSING);
    assertRefused("", Reason.MISSING);
    assertRefused("   ", Reason.MISSING);
  }

  @Test
  void mintRefusesUnusableArguments() {
    assertThrows(IllegalArgumentException.class, () -> Tokens.mint("", "u", "d", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> Tokens.mint(SECRET, " ", "d", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> Tokens.mint(SECRET, "u", null, Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> Tokens.mint(SECRET, "u", "d", Duration.ZERO));
  }

  private InvalidTokenException assertRefused(String token, Reason reason) {
    InvalidTokenException refused = assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
    assertEquals(reason, refused.reason(), refused.getMessage());
    if (token != null && !token.isBlank()) {
      assertFalse(refused.getMessage().contains(token), "the reason must not quote the token");
    }
    return refused;
  }
}
