package io.herald.load.sim;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Duration;
import java.time.Instant;

/**
 * Mints device tokens the way the contract defines them (HS256 JWT; {@code sub} = user, {@code device} = device,
 * {@code iat}/{@code exp}), from the shared secret, with the JWT library an app's back end would use, so the
 * simulator needs nothing of Herald's code.
 */
public final class DeviceTokens {

  private DeviceTokens() {}

  public static String mint(String secret, String userId, String deviceId, Duration ttl) {
    var now = Instant.now();
    return JWT.create()
        .withSubject(userId)
        .withClaim("device", deviceId)
        .withIssuedAt(now)
        .withExpiresAt(now.plus(ttl))
        .sign(Algorithm.HMAC256(secret));
  }
}
