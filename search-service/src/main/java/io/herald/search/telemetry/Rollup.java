package io.herald.search.telemetry;

/**
 * One bucket of one device's readings of one key: how many, the least, the greatest and their sum (the mean is
 * sum / count), and the sequence number of the last Device event merged in ({@code appliedSeqNr}).
 */
record Rollup(Key key, long count, double min, double max, double sum, long appliedSeqNr) {

  /** Which row: device, reading key, bucket size and the bucket's start. */
  record Key(String deviceId, String readingKey, BucketSize size, long bucketStartMs) {
    long partitionStartMs() {
      return size.partitionStart(bucketStartMs);
    }
  }

  static Rollup empty(Key key) {
    return new Rollup(key, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0);
  }

  /** With one more reading, from the event at {@code seqNr}. */
  Rollup plus(double value, long seqNr) {
    return new Rollup(key, count + 1, Math.min(min, value), Math.max(max, value), sum + value, seqNr);
  }

  /** This bucket and another's (of another device, for a user's totals); applied sequence numbers mean nothing there. */
  Rollup combine(Rollup other) {
    return new Rollup(key, count + other.count, Math.min(min, other.min), Math.max(max, other.max),
        sum + other.sum, 0);
  }
}
