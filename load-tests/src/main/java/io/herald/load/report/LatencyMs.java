package io.herald.load.report;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds. */
public record LatencyMs(double p50, double p99, double p999, double max) {

  public static final LatencyMs NONE = new LatencyMs(0, 0, 0, 0);

  /** From a histogram recorded in microseconds. */
  public static LatencyMs ofMicros(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return NONE;
    }
    return new LatencyMs(
        millis(micros.getValueAtPercentile(50.0)),
        millis(micros.getValueAtPercentile(99.0)),
        millis(micros.getValueAtPercentile(99.9)),
        millis(micros.getMaxValue()));
  }

  private static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
