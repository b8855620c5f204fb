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
import io.herald.gateway.auth.InvalidTokenException.Reason;
import java.time.Clock;

/** Checks device tokens (HS256, claims {@code sub}, {@code device}, {@code exp}). Thread-safe. */
public final class TokenVerifier {

  private final JWTVerifier verifier;

  public TokenVerifier(String secret) {
    this(secret, Clock.systemUTC());
  }

  /** With the clock that decides expiry. */
  public TokenVerifier(String secret, Clock clock) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    // java-jwt checks exp only when it is present: a token without expiry would live forever, so require it.
    this.verifier =
        ((JWTVerifier.BaseVerification)
                JWT.require(Algorithm.HMAC256(secret))
                    .withClaimPresence(RegisteredClaims.SUBJECT)
                    .withClaimPresence(Tokens.DEVICE_CLAIM)
                    .withClaimPresence(RegisteredClaims.EXPIRES_AT))
            .build(clock);
  }

  /**
   * The identity a token proves.
   *
   * @param token the compact JWT, or {@code null} when the client presented none
   * @throws InvalidTokenException with the reason when the token is missing, forged, expired or incomplete
   */
  public DeviceIdentity verify(String token) throws InvalidTokenException {
    if (token == null || token.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING, "missing token");
    }
    DecodedJWT jwt = decode(token);
    String userId = jwt.getSubject();
    String deviceId = jwt.getClaim(Tokens.DEVICE_CLAIM).asString();
    if (userId == null || userId.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING_CLAIM, "token has an empty 'sub' claim");
    }
    if (deviceId == null || deviceId.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING_CLAIM, "token's 'device' claim is empty or not a string");
    }
    return new DeviceIdentity(userId, deviceId);
  }

  // The library's own messages are not passed on: some of them quote decoded parts of the token.
  private DecodedJWT decode(String token) throws InvalidTokenException {
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
