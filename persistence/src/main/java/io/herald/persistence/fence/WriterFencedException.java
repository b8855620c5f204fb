package io.herald.persistence.fence;

/** A write refused because this node may have been replaced (see {@link WriterFence}). */
public final class WriterFencedException extends IllegalStateException {

  public WriterFencedException(String write, String reason) {
    super(write + " refused: " + reason);
  }
}
