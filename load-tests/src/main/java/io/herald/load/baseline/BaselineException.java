package io.herald.load.baseline;

/** A baseline could not be set up (the target is unreachable, its topic or table cannot be created). */
public final class BaselineException extends RuntimeException {
  public BaselineException(String message, Throwable cause) {
    super(message, cause);
  }
}
