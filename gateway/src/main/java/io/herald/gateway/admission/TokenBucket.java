package io.herald.gateway.admission;

/**
 * A token bucket: holds up to {@code burst} tokens and gains {@code ratePerSecond} of them per second; a frame takes
 * one. Time comes from the caller (nanoseconds, monotonic), so a test can drive it. Thread-safe (synchronized: one
 * device's connections rarely contend, and each call is a few arithmetic operations).
 */
final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long lastRefillNanos;

  /** A new bucket is full: a device that just connected may send its burst at once. */
  TokenBucket(double ratePerSecond, int burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.tokens = burst;
    this.lastRefillNanos = nowNanos;
  }

  /** Takes a token and returns 0, or returns how many nanoseconds until one is there (nothing taken then). */
  synchronized long tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / ratePerNano);
  }

  /** Returns a token taken by {@link #tryTake} for a frame that was refused on another ground after all. */
  synchronized void giveBack() {
    tokens = Math.min(burst, tokens + 1);
  }

  /** Full again: forgetting this bucket loses nothing, a new one would be the same. */
  synchronized boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastRefillNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastRefillNanos = nowNanos;
    }
  }
}
