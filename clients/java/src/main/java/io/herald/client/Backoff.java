package io.herald.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th retry waits about {@code initial * multiplier^(n-1)}, capped at {@code max},
 * spread by +-{@code jitter} (a fraction) so that many devices that failed together do not come back together.
 *
 * @param initial the wait before the first retry
 * @param max the longest wait, before jitter
 * @param multiplier growth per attempt, at least 1
 * @param jitter the spread as a fraction of the wait, 0 to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
    }
    if (multiplier < 1.0 || jitter < 0.0 || jitter > 1.0) {
      throw new IllegalArgumentException("need multiplier >= 1 and 0 <= jitter <= 1");
    }
  }

  /** 100 ms doubling up to 10 s, +-20 %. */
  public static Backoff defaults() {
    return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, 0.2);
  }

  /**
   * The wait before retry number {@code attempt} (1 for the first retry).
   *
   * @param floorMillis the least wait the server asked for ({@code retry_after_ms}), 0 for none; it is honoured even
   *     when larger than {@code max}, and jittered upwards only, so no device comes back early
   */
  public Duration delay(int attempt, long floorMillis, RandomGenerator random) {
    double exponential = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    double capped = Math.min(exponential, max.toMillis());
    double jittered = capped * (1.0 + jitter * (2.0 * random.nextDouble() - 1.0));
    double floor = floorMillis <= 0 ? 0 : floorMillis * (1.0 + jitter * random.nextDouble());
    return Duration.ofMillis(Math.max(1L, Math.round(Math.max(jittered, floor))));
  }
}
