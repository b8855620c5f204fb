package io.herald.gateway.admission;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts frames that were handed to Kafka and not yet answered: a connection's (WebSocket max-in-flight) or the whole
 * node's (the global admission bound). Taken on a stream's or Californium's thread, released on the thread that
 * completes the answer, hence atomic.
 */
public final class InFlightLimit {

  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  public InFlightLimit(int max) {
    this.max = max;
  }

  public boolean tryAcquire() {
    while (true) {
      int current = inFlight.get();
      if (current >= max) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void release() {
    inFlight.decrementAndGet();
  }

  public int max() {
    return max;
  }

  /** How many are taken now (a seam for metrics, and tests). */
  public int inFlight() {
    return inFlight.get();
  }
}
