package io.herald.load.report;

import io.herald.load.baseline.BaselineResult;

/**
 * The raw baselines measured in the same run, on the same infrastructure, to compare Herald's acked throughput with.
 * A baseline that was not measured is {@code null}, and so is its ratio.
 *
 * @param rawKafka a plain producer (acks=all) into Kafka
 * @param rawCassandra plain asynchronous inserts into Cassandra
 */
public record BaselineComparison(BaselineResult rawKafka, BaselineResult rawCassandra) {

  public static final BaselineComparison NOT_MEASURED = new BaselineComparison(null, null);

  public Double ratioToRawKafka(double heraldPerSecond) {
    return ratio(heraldPerSecond, rawKafka);
  }

  public Double ratioToRawCassandra(double heraldPerSecond) {
    return ratio(heraldPerSecond, rawCassandra);
  }

  private static Double ratio(double heraldPerSecond, BaselineResult baseline) {
    if (baseline == null || !(baseline.ratePerS() > 0)) {
      return null;
    }
    return Math.round(heraldPerSecond / baseline.ratePerS() * 1000) / 1000.0;
  }
}
