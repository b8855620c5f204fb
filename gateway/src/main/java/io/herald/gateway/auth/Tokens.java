package io.herald.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Issues device tokens (used by {@code bin/herald token} and by tests). The format is the contract's "Identity":
 * HS256 JWT with {@code sub} = user id, {@code device} = device id, {@code exp} = expiry in seconds.
 */
public final class Tokens {

  /** Claim naming the device the token was issued to. */
  public static final String DEVICE_CLAIM = "device";

  private Tokens() {}

  /** A token valid from now for {@code ttl}. */
  public static String mint(String secret, String userId, String deviceId, Duration ttl) {
    return mint(secret, userId, deviceId, ttl, Instant.now());
  }

  /**
   * A token issued at {@code issuedAt} and valid for {@code ttl} from then. Issuing in the past gives a token that is
   * already expired, which is what tests of expiry need.
   */
  public static String mint(String secret, String userId, String deviceId, Duration ttl, Instant issuedAt) {
    requireText(secret, "secret");
    requireText(userId, "userId");
    requireText(deviceId, "deviceId");
    Objects.requireNonNull(issuedAt, "issuedAt");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    return JWT.create()
        .withSubject(userId)
        .withClaim(DEVICE_CLAIM, deviceId)
        .withIssuedAt(issuedAt)
        .withExpiresAt(issuedAt.plus(ttl))
        .sign(Algorithm.HMAC256(secret));
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
