package io.herald.load.baseline;

import java.time.Duration;

/**
 * How long and how hard a raw baseline writes. Every phase is bounded.
 *
 * @param warmUp writes before the measured window (JIT, connections, metadata); not counted
 * @param duration the measured window: new writes start only inside it
 * @param maxInFlight writes issued and not yet acknowledged, at most (a semaphore)
 * @param keys distinct keys the writes are spread over (Herald: one per user), round robin
 * @param drainTimeout after the window, how long the last writes may take before they count as failed
 */
public record BaselineSettings(Duration warmUp, Duration duration, int maxInFlight, int keys, Duration drainTimeout) {

  /** A baseline must stay a short side measurement of a run, never the run itself. */
  public static final Duration MAX_DURATION = Duration.ofMinutes(10);

  public BaselineSettings {
    requirePositive(duration, "duration");
    requirePositive(drainTimeout, "drainTimeout");
    if (warmUp.isNegative() || warmUp.compareTo(MAX_DURATION) > 0 || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("warm-up and duration must each be at most " + MAX_DURATION);
    }
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw new IllegalArgumentException("maxInFlight must be 1..100000, got " + maxInFlight);
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be >= 1, got " + keys);
    }
  }

  /** 1 s of warm-up, then {@code duration}; 256 in flight; 30 s to drain. */
  public static BaselineSettings of(Duration duration, int keys) {
    return new BaselineSettings(Duration.ofSeconds(1), duration, 256, keys, Duration.ofSeconds(30));
  }

  public BaselineSettings withWarmUp(Duration value) {
    return new BaselineSettings(value, duration, maxInFlight, keys, drainTimeout);
  }

  private static void requirePositive(Duration value, String name) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
