package io.herald.search.telemetry;

import java.util.Arrays;
import java.util.Optional;

/**
 * The roll-ups' time buckets, by the reading's receive time (the gateway's clock, UTC, aligned to the epoch). Each
 * size has its partition span: a partition of {@code telemetry_rollups} holds at most {@code span / size} rows (1,440
 * minutes, 720 hours, 1,000 days), whatever the device's age.
 */
public enum BucketSize {
  MINUTE("1m", 60_000L, 86_400_000L),
  HOUR("1h", 3_600_000L, 30L * 86_400_000L),
  DAY("1d", 86_400_000L, 1_000L * 86_400_000L);

  private final String name;
  private final long millis;
  private final long partitionSpanMs;

  BucketSize(String name, long millis, long partitionSpanMs) {
    this.name = name;
    this.millis = millis;
    this.partitionSpanMs = partitionSpanMs;
  }

  /** As the API names it: {@code 1m}, {@code 1h}, {@code 1d}. */
  public String apiName() {
    return name;
  }

  public long millis() {
    return millis;
  }

  public static Optional<BucketSize> of(String apiName) {
    return Arrays.stream(values()).filter(size -> size.name.equals(apiName)).findFirst();
  }

  /** The start of the bucket holding {@code atMs}. */
  public long bucketStart(long atMs) {
    return Math.floorDiv(atMs, millis) * millis;
  }

  /** The start of the partition holding {@code atMs}'s bucket. */
  public long partitionStart(long atMs) {
    return Math.floorDiv(atMs, partitionSpanMs) * partitionSpanMs;
  }

  public long partitionSpanMs() {
    return partitionSpanMs;
  }
}
