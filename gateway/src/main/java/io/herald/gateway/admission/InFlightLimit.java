package io.herald.gateway.websocket;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a connection's frames that were handed to Kafka and not yet answered. Taken on the stream's thread,
 * released on the Kafka producer's thread, hence atomic.
 */
final class InFlightLimit {

  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  InFlightLimit(int max) {
    this.max = max;
  }

  boolean tryAcquire() {
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

  void release() {
    inFlight.decrementAndGet();
  }

  int max() {
    return max;
  }
}
