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
    /** Signed with another secret or another algorithm than HS256. */
    BAD_SIGNATURE,
    /** Past its {@code exp}. */
    EXPIRED,
    /** A required claim ({@code sub}, {@code device}, {@code exp}) is absent or empty. */
    MISSING_CLAIM,
    /** A claim has a value that cannot be accepted (wrong type, not yet valid). */
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
}
