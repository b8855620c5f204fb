package io.herald.gateway.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what was handed to Kafka and not yet answered: a connection's frames (WebSocket max-in-flight), or the whole
 * node's frames and their bytes (the global admission bounds). Taken on a stream's or Californium's thread, released
 * on the thread that completes the answer, hence atomic.
 */
public final class InFlightLimit {

  private final long max;
  private final AtomicLong inFlight = new AtomicLong();

  public InFlightLimit(long max) {
    this.max = max;
  }

  /** Takes {@code amount} (1 for a frame, or its bytes) if that stays within the bound. */
  public boolean tryAcquire(long amount) {
    while (true) {
      long current = inFlight.get();
      if (current + amount > max) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + amount)) {
        return true;
      }
    }
  }

  /** Gives back what {@link #tryAcquire} took. */
  public void release(long amount) {
    inFlight.addAndGet(-amount);
  }

  public long max() {
    return max;
  }

  /** How much is taken now (a seam for metrics, and tests). */
  public long inFlight() {
    return inFlight.get();
  }
}
