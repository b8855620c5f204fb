package io.herald.load.sim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints device tokens the way the contract defines them (HS256 JWT; {@code sub} = user, {@code device} = device,
 * {@code exp} in seconds), from the shared secret, so the simulator needs nothing of Herald's code.
 */
public final class DeviceTokens {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private DeviceTokens() {}

  public static String mint(String secret, String userId, String deviceId, Duration ttl) {
    long now = Instant.now().getEpochSecond();
    String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    String claims = encode("{\"sub\":\"" + jsonSafe(userId) + "\",\"device\":\"" + jsonSafe(deviceId)
        + "\",\"iat\":" + now + ",\"exp\":" + (now + ttl.toSeconds()) + "}");
    String signed = header + "." + claims;
    return signed + "." + BASE64URL.encodeToString(hmacSha256(secret, signed));
  }

  private static byte[] hmacSha256(String secret, String data) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Simulated ids are plain; refuse anything that would need escaping rather than escape it. */
  private static String jsonSafe(String value) {
    if (!value.matches("[A-Za-z0-9._:@-]+")) {
      throw new IllegalArgumentException("ids of simulated users and devices are [A-Za-z0-9._:@-]+, got " + value);
    }
    return value;
  }
}
