package io.herald.client;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The outbox file could not be written: the frame is not durable, so it was not taken. */
public final class OutboxWriteException extends UncheckedIOException {

  public OutboxWriteException(String message, IOException cause) {
    super(message, cause);
  }
}
