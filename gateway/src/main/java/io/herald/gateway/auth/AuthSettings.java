package io.herald.gateway.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Which tokens the gateway accepts (reference.conf, {@code herald.auth.jwt-secret} and {@code herald.gateway.auth}):
 * HS256 with Herald's own secret, RS256/ES256 from an identity provider's JWKS, or both.
 *
 * @param hs256Secret {@code herald.auth.jwt-secret}, empty when HS256 tokens are not accepted
 * @param clockLeeway how far past {@code exp} (and before {@code nbf}/{@code iat}) a token is still accepted
 * @param jwks the identity provider's settings, empty when none is configured
 */
public record AuthSettings(Optional<String> hs256Secret, Duration clockLeeway, Optional<Jwks> jwks) {

  static final String JWT_SECRET_PATH = "herald.auth.jwt-secret";

  /**
   * An identity provider whose signing keys are published as a JWKS document ({@code herald.gateway.auth.jwks}).
   *
   * @param url where the JWKS document is fetched (http or https)
   * @param issuer the {@code iss} every token of this provider must carry
   * @param audience a value the token's {@code aud} must contain
   * @param deviceClaim the claim that names the device (Herald's own tokens use {@code device})
   * @param cacheTtl keys older than this are fetched again (in the background, the known keys still serve)
   * @param minRefetchInterval at most one fetch per this interval, however many tokens name unknown keys
   * @param fetchTimeout the longest one fetch may take
   * @param maxKeys keys taken from one document (the rest are ignored)
   * @param maxDocumentBytes a larger document is refused
   */
  public record Jwks(URI url, String issuer, String audience, String deviceClaim, Duration cacheTtl,
      Duration minRefetchInterval, Duration fetchTimeout, int maxKeys, long maxDocumentBytes) {}

  public AuthSettings {
    hs256Secret.ifPresent(TokenVerifier::requireStrongSecret);
  }

  /**
   * @throws ConfigException when neither an HS256 secret nor a JWKS URL is configured, the secret is shorter than
   *     {@link TokenVerifier#MIN_SECRET_BYTES}, or a JWKS setting is missing or invalid
   */
  public static AuthSettings from(Config config) {
    Config auth = config.getConfig("herald.gateway.auth");
    Optional<Jwks> jwks = jwks(auth.getConfig("jwks"));
    String secret = config.getString(JWT_SECRET_PATH);
    if (secret.isBlank() && jwks.isEmpty()) {
      throw new ConfigException.BadValue(JWT_SECRET_PATH,
          "is empty: the gateway needs the HS256 secret that signs device tokens (set HERALD_JWT_SECRET, or"
              + " herald.auth.jwt-secret), or an identity provider's JWKS (HERALD_JWKS_URL, herald.gateway.auth.jwks.url)");
    }
    if (!secret.isBlank() && secret.getBytes(StandardCharsets.UTF_8).length < TokenVerifier.MIN_SECRET_BYTES) {
      // Never quote the secret: the message goes to logs.
      throw new ConfigException.BadValue(JWT_SECRET_PATH,
          "is " + secret.getBytes(StandardCharsets.UTF_8).length + " bytes long: an HS256 secret must have at least "
              + TokenVerifier.MIN_SECRET_BYTES + " bytes (RFC 7518 3.2); `openssl rand -base64 32` makes one");
    }
    Duration leeway = auth.getDuration("clock-leeway");
    if (leeway.isNegative()) {
      throw new ConfigException.BadValue(auth.origin(), "clock-leeway", "must not be negative, was " + leeway);
    }
    return new AuthSettings(secret.isBlank() ? Optional.empty() : Optional.of(secret), leeway, jwks);
  }

  private static Optional<Jwks> jwks(Config jwks) {
    String url = jwks.getString("url");
    if (url.isBlank()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException.BadValue(jwks.origin(), "url", "is not a URL: " + e.getMessage());
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException.BadValue(jwks.origin(), "url", "must be an http or https URL, was " + url);
    }
    for (String required : new String[] {"issuer", "audience", "device-claim"}) {
      if (jwks.getString(required).isBlank()) {
        throw new ConfigException.BadValue(jwks.origin(), required,
            "is empty: tokens from an identity provider are accepted only for a known issuer and audience"
                + " (herald.gateway.auth.jwks." + required + ", see reference.conf for its environment variable)");
      }
    }
    int maxKeys = jwks.getInt("max-keys");
    long maxBytes = jwks.getBytes("max-document-bytes");
    if (maxKeys < 1 || maxBytes < 1) {
      throw new ConfigException.BadValue(jwks.origin(), "max-keys", "max-keys and max-document-bytes must be positive");
    }
    return Optional.of(new Jwks(uri, jwks.getString("issuer"), jwks.getString("audience"),
        jwks.getString("device-claim"), positive(jwks, "cache-ttl"), jwks.getDuration("min-refetch-interval"),
        positive(jwks, "fetch-timeout"), maxKeys, maxBytes));
  }

  private static Duration positive(Config config, String path) {
    Duration value = config.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException.BadValue(config.origin(), path, "must be positive, was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    // A record prints all its fields; the secret must not end up in a log.
    return "AuthSettings[hs256=" + hs256Secret.isPresent() + ", clockLeeway=" + clockLeeway + ", jwks=" + jwks + "]";
  }
}
