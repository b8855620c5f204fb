package io.herald.gateway.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a device or a user for frames, a user for the bytes of their frames, a user for REST reads):
 * each holds up to {@code burst} tokens and gains {@code ratePerSecond} per second. Thread-safe.
 *
 * <p>Memory: one bucket per key that took a token recently. A bucket that has refilled to full is the same as a new
 * one, so {@link #forgetFullBuckets()} (run periodically) drops it without changing any decision.
 */
public final class RateLimit {

  private final double ratePerSecond;
  private final long burst;
  private final LongSupplier nanoClock;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a test passes its own) */
  public RateLimit(double ratePerSecond, long burst, LongSupplier nanoClock) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  /**
   * Takes {@code amount} tokens of {@code key} (1 per frame or read, or a frame's bytes) and returns 0, or returns how
   * many milliseconds until they are there (rounded up).
   */
  public long tryTake(String key, long amount) {
    long now = nanoClock.getAsLong();
    long waitNanos =
        buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, now)).tryTake(now, amount);
    // Rounded up: retrying after a shorter time would be refused again.
    return waitNanos <= 0 ? 0 : Math.max(1, (waitNanos + 999_999) / 1_000_000);
  }

  /** Returns the tokens {@code key} just took (the frame was refused on another ground). */
  public void giveBack(String key, long amount) {
    var bucket = buckets.get(key);
    if (bucket != null) {
      bucket.giveBack(amount);
    }
  }

  /** Drops buckets that are full again; returns how many remain (a seam for metrics). */
  public int forgetFullBuckets() {
    long now = nanoClock.getAsLong();
    // A take racing with the removal may take its token from the dropped bucket: that key gets at most one token more
    // than its limit once per sweep, which is not worth a lock.
    buckets.values().removeIf(bucket -> bucket.isFull(now));
    return buckets.size();
  }

  public double ratePerSecond() {
    return ratePerSecond;
  }

  public long burst() {
    return burst;
  }
}
