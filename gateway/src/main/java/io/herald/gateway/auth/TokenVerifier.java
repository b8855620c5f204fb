package io.herald.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.RegisteredClaims;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.auth.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Checks device tokens: HS256 signed with Herald's secret, and RS256/ES256 signed with a key an identity provider
 * publishes as JWKS (see {@link AuthSettings}). Claims {@code sub} (user), the device claim, {@code exp}; for an
 * identity provider's tokens also its {@code iss} and {@code aud}. The header's {@code alg} picks the check, and a
 * JWKS key verifies only tokens of its own algorithm: an HS256 token naming an RSA key's {@code kid} is checked
 * against the HS256 secret (and fails), {@code none} and every other algorithm are refused. Thread-safe.
 */
public final class TokenVerifier {

  /** The shortest HS256 secret accepted: as long as the hash (RFC 7518 section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  // JWT.decode builds a JSON parser (a new Jackson ObjectMapper) for every token: 0.8 ms of each WebSocket connect
  // in a profile of the node. One decoder shares its parser, which is thread-safe.
  private static final JWT DECODER = new JWT();

  private final Optional<JWTVerifier> hs256;
  private final Optional<JwksKeys> jwks;

  /** HS256 tokens only, no clock leeway. */
  public TokenVerifier(String secret) {
    this(secret, Clock.systemUTC());
  }

  /** HS256 tokens only, no clock leeway, with the clock that decides expiry. */
  public TokenVerifier(String secret, Clock clock) {
    this(Optional.of(hs256(requireStrongSecret(secret), Duration.ZERO, clock)), Optional.empty());
  }

  private TokenVerifier(Optional<JWTVerifier> hs256, Optional<JwksKeys> jwks) {
    this.hs256 = hs256;
    this.jwks = jwks;
  }

  /** The gateway's verifier: starts fetching the identity provider's keys when one is configured. */
  public static TokenVerifier start(AuthSettings settings, ActorSystem<?> system) {
    return start(settings, system, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * As {@link #start(AuthSettings, ActorSystem)} with the clocks given: {@code clock} decides expiry, {@code nanoTime}
   * the key cache's TTL and refetch interval.
   */
  static TokenVerifier start(AuthSettings settings, ActorSystem<?> system, Clock clock, LongSupplier nanoTime) {
    Optional<JwksKeys> jwks = settings.jwks().map(provider -> new JwksKeys(provider,
        algorithm -> identityProvider(algorithm, provider, settings.clockLeeway(), clock), system, nanoTime));
    jwks.ifPresent(JwksKeys::refreshIfAllowed);
    return new TokenVerifier(settings.hs256Secret().map(secret -> hs256(secret, settings.clockLeeway(), clock)), jwks);
  }

  static String requireStrongSecret(String secret) {
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("an HS256 secret must have at least " + MIN_SECRET_BYTES + " bytes");
    }
    return secret;
  }

  // java-jwt checks exp only when it is present: a token without expiry would live forever, so require it.
  private static JWTVerifier hs256(String secret, Duration leeway, Clock clock) {
    return ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(secret))
            .acceptLeeway(leeway.toSeconds())
            .withClaimPresence(RegisteredClaims.SUBJECT)
            .withClaimPresence(Tokens.DEVICE_CLAIM)
            .withClaimPresence(RegisteredClaims.EXPIRES_AT))
        .build(clock);
  }

  private static JWTVerifier identityProvider(Algorithm algorithm, AuthSettings.Jwks provider, Duration leeway,
      Clock clock) {
    return ((JWTVerifier.BaseVerification) JWT.require(algorithm)
            .acceptLeeway(leeway.toSeconds())
            .withIssuer(provider.issuer())
            .withAudience(provider.audience())
            .withClaimPresence(RegisteredClaims.SUBJECT)
            .withClaimPresence(provider.deviceClaim())
            .withClaimPresence(RegisteredClaims.EXPIRES_AT))
        .build(clock);
  }

  /**
   * The identity a token proves, as the transports ask for it: complete at once, except when the token names a key
   * the identity provider's last fetched keys lack. Then the keys are fetched again (when the refetch interval allows;
   * the fetch runs on Pekko's threads, the caller does not wait for it) and the token is checked once more. Fails with
   * {@link InvalidTokenException}; each refusal is counted ({@code herald.gateway.tokens.refused}).
   */
  public CompletionStage<DeviceIdentity> authenticate(String token) {
    try {
      return CompletableFuture.completedStage(verify(token));
    } catch (InvalidTokenException e) {
      if (e.reason() != Reason.UNKNOWN_KEY || jwks.isEmpty()) {
        GatewayMetrics.tokenRefused(e.reason());
        return CompletableFuture.failedStage(e);
      }
    }
    CompletableFuture<DeviceIdentity> result = new CompletableFuture<>();
    // Synchronous: the refresh completes on a Pekko dispatcher, or at once when no fetch may start now.
    jwks.get().refreshIfAllowed().whenComplete((ignored, never) -> {
      try {
        result.complete(verify(token));
      } catch (InvalidTokenException e) {
        GatewayMetrics.tokenRefused(e.reason());
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /**
   * The identity a token proves with the keys known now (never fetches).
   *
   * @param token the compact JWT, or {@code null} when the client presented none
   * @throws InvalidTokenException with the reason when the token is missing, forged, expired or incomplete
   */
  public DeviceIdentity verify(String token) throws InvalidTokenException {
    if (token == null || token.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING, "missing token");
    }
    DecodedJWT unverified;
    try {
      unverified = DECODER.decodeJwt(token);
    } catch (JWTDecodeException e) {
      throw new InvalidTokenException(Reason.MALFORMED, "token is not a well-formed JWT");
    }
    String deviceClaim = Tokens.DEVICE_CLAIM;
    JWTVerifier verifier;
    String algorithm = unverified.getAlgorithm();
    if ("HS256".equals(algorithm) && hs256.isPresent()) {
      verifier = hs256.get();
    } else if (("RS256".equals(algorithm) || "ES256".equals(algorithm)) && jwks.isPresent()) {
      String kid = unverified.getKeyId();
      if (kid == null || kid.isBlank()) {
        throw new InvalidTokenException(Reason.UNKNOWN_KEY, "token names no signing key ('kid')");
      }
      JwksKeys.Key key = jwks.get().key(kid).orElseThrow(() ->
          new InvalidTokenException(Reason.UNKNOWN_KEY, "token's signing key is not one the issuer publishes"));
      if (!key.algorithm().equals(algorithm)) {
        throw new InvalidTokenException(Reason.BAD_SIGNATURE, "token's algorithm is not its signing key's");
      }
      verifier = key.verifier();
      deviceClaim = jwks.get().deviceClaim();
    } else {
      // The algorithm comes from the token: quoting it says nothing secret, and a short one only.
      throw new InvalidTokenException(Reason.BAD_SIGNATURE, "tokens signed with "
          + (algorithm == null ? "no algorithm" : algorithm.length() > 16 ? "that algorithm" : algorithm)
          + " are not accepted");
    }
    DecodedJWT jwt = check(verifier, unverified);
    String userId = jwt.getSubject();
    String deviceId = jwt.getClaim(deviceClaim).asString();
    if (userId == null || userId.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING_CLAIM, "token has an empty 'sub' claim");
    }
    if (deviceId == null || deviceId.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING_CLAIM,
          "token's '" + deviceClaim + "' claim is empty or not a string");
    }
    return new DeviceIdentity(userId, deviceId);
  }

  // The library's own messages are not passed on: some of them quote decoded parts of the token.
  private static DecodedJWT check(JWTVerifier verifier, DecodedJWT token) throws InvalidTokenException {
    try {
      return verifier.verify(token);
    } catch (TokenExpiredException e) {
      throw new InvalidTokenException(Reason.EXPIRED, "token expired at " + e.getExpiredOn());
    } catch (SignatureVerificationException | AlgorithmMismatchException e) {
      throw new InvalidTokenException(Reason.BAD_SIGNATURE, "token signature is not valid");
    } catch (MissingClaimException e) {
      throw new InvalidTokenException(Reason.MISSING_CLAIM, "token lacks the '" + e.getClaimName() + "' claim");
    } catch (IncorrectClaimException e) {
      throw new InvalidTokenException(Reason.INVALID_CLAIM, "token's '" + e.getClaimName() + "' claim is not valid");
    } catch (JWTDecodeException e) {
      throw new InvalidTokenException(Reason.MALFORMED, "token is not a well-formed JWT");
    } catch (JWTVerificationException e) {
      throw new InvalidTokenException(Reason.MALFORMED, "token was refused");
    }
  }
}
