package io.herald.load.check;

/** The journal holds something the checker cannot decode: the check cannot be trusted, so it stops. */
public final class JournalReadException extends RuntimeException {

  public JournalReadException(String message, Throwable cause) {
    super(message, cause);
  }
}
