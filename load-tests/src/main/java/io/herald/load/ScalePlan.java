package io.herald.load;

import java.time.Duration;

/**
 * The {@code scale} scenario: the same offered rate over few and over many distinct devices.
 *
 * @param fewDevices D1, distinct devices of the first phase
 * @param manyDevices D2, distinct devices of the second phase
 * @param maxInFlight CoAP requests unanswered at once over all devices; an arrival past it is not sent (counted)
 * @param heapSettle wait after a phase before the heap is read, so per-request memory the node keeps for a while
 *     (its CoAP deduplicator holds each exchange for 247 s) is gone and the heap added is the entities'
 */
public record ScalePlan(int fewDevices, int manyDevices, int maxInFlight, Duration heapSettle) {

  /** Device ids are minted from an index, never stored: this bounds only the arithmetic, not memory. */
  public static final int MAX_DEVICES = 100_000_000;

  public static final ScalePlan DEFAULT = new ScalePlan(1_000, 1_000_000, 512, Duration.ZERO);

  public ScalePlan {
    if (fewDevices < 1 || manyDevices < 1 || fewDevices > MAX_DEVICES || manyDevices > MAX_DEVICES) {
      throw new IllegalArgumentException("--scale-devices must be two counts in [1, " + MAX_DEVICES + "], got "
          + fewDevices + "," + manyDevices);
    }
    if (maxInFlight < 1 || maxInFlight > 10_000) {
      throw new IllegalArgumentException("--scale-in-flight must be in [1, 10000], got " + maxInFlight);
    }
    if (heapSettle.isNegative() || heapSettle.compareTo(ScenarioSettings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("--heap-settle must be in [0, 1h], got " + heapSettle);
    }
  }

  /** {@code D1,D2}, e.g. {@code 1000,1000000}. */
  public static ScalePlan parse(String devices, int maxInFlight, Duration heapSettle) {
    String[] counts = devices.split(",");
    if (counts.length != 2) {
      throw new IllegalArgumentException("--scale-devices must be D1,D2 (e.g. 1000,1000000), got " + devices);
    }
    return new ScalePlan(OptionValues.integer(counts[0], "--scale-devices"),
        OptionValues.integer(counts[1], "--scale-devices"), maxInFlight, heapSettle);
  }
}
