package io.herald.client;

/**
 * The outbox already holds its limit of unacknowledged frames. The frame was not taken: the application decides
 * whether to drop it, keep it itself, or slow down (this is the client's back-pressure signal).
 */
public final class OutboxFullException extends Exception {

  private final int capacity;

  public OutboxFullException(int capacity) {
    super("the outbox holds its limit of " + capacity + " unacknowledged frames");
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }
}
