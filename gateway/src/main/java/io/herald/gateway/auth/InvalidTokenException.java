package io.herald.gateway.auth;

/**
 * A token was refused. The message is short, safe to show to the client and to log: it never contains the token or
 * any part of it.
 */
public final class InvalidTokenException extends Exception {

  /** Why a token was refused. */
  public enum Reason {
    /** No token was presented. */
    MISSING,
    /** Not a JWT, or its header or payload does not decode. */
    MALFORMED,
    /** Signed with another secret or key, or with an algorithm that is not accepted (or not its key's). */
    BAD_SIGNATURE,
    /** Names no signing key, or one the identity provider does not publish (after fetching its keys again). */
    UNKNOWN_KEY,
    /** Past its {@code exp}. */
    EXPIRED,
    /** A required claim ({@code sub}, {@code device}, {@code exp}) is absent or empty. */
    MISSING_CLAIM,
    /** A claim has a value that cannot be accepted (wrong type, not yet valid, another issuer or audience). */
    INVALID_CLAIM
  }

  private final Reason reason;

  public InvalidTokenException(Reason reason, String message) {
    // Stack traces say nothing useful about a refused token and cost time on a hot path.
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** What a failed {@link TokenVerifier#authenticate} failed with, unwrapped from the future's own wrapping. */
  public static InvalidTokenException of(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return cause instanceof InvalidTokenException refused ? refused
        : new InvalidTokenException(Reason.MALFORMED, "token was refused");
  }
}
