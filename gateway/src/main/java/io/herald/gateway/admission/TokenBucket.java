package io.herald.gateway.admission;

/**
 * A token bucket: holds up to {@code burst} tokens and gains {@code ratePerSecond} of them per second; a frame takes
 * one, or as many as it has bytes when the bucket counts bytes. Time comes from the caller (nanoseconds, monotonic),
 * so a test can drive it. Thread-safe (synchronized: one device's or user's connections rarely contend, and each call
 * is a few arithmetic operations).
 */
final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000d;

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long lastRefillNanos;

  /** A new bucket is full: a device that just connected may send its burst at once. */
  TokenBucket(double ratePerSecond, long burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.tokens = burst;
    this.lastRefillNanos = nowNanos;
  }

  /**
   * Takes {@code amount} tokens and returns 0, or returns how many nanoseconds until that many are there (nothing
   * taken then). An amount above the burst is never there: the caller's settings keep the burst above any amount.
   */
  synchronized long tryTake(long nowNanos, long amount) {
    refill(nowNanos);
    if (tokens >= amount) {
      tokens -= amount;
      return 0;
    }
    return (long) Math.ceil((amount - tokens) / ratePerNano);
  }

  /** Returns tokens taken by {@link #tryTake} for a frame that was refused on another ground after all. */
  synchronized void giveBack(long amount) {
    tokens = Math.min(burst, tokens + amount);
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
