package io.herald.load.baseline;

import io.herald.load.report.LatencyMs;

/**
 * What one raw baseline measured.
 *
 * @param name {@code raw_kafka} or {@code raw_cassandra}
 * @param operations writes that succeeded inside the measured window
 * @param failures writes that failed inside the measured window (they do not count towards the rate)
 * @param measuredS seconds from the end of the warm-up to the last completion
 * @param ratePerS successful writes per second over the measured window
 * @param latencyMs call to acknowledgement of the successful writes
 */
public record BaselineResult(String name, long operations, long failures, double measuredS, double ratePerS,
    LatencyMs latencyMs) {

  public static final String RAW_KAFKA = "raw_kafka";
  public static final String RAW_CASSANDRA = "raw_cassandra";
}
