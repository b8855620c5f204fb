package io.herald.user.ingest;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * When the journal or the cluster was last seen in trouble (Cassandra not answering, a node unreachable). A failing
 * record is declared poison only once everything has been quiet for a while: right after an outage, a record fails
 * because of the outage's tail, not because of itself. Written by the consumer's probe and its failure path, read by
 * the failure path, on different threads.
 */
final class TroubleWatch {

  private static final long NEVER = Long.MIN_VALUE;

  private final LongSupplier nanoTime;
  private final AtomicLong lastTroubleNanos = new AtomicLong(NEVER);

  TroubleWatch(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void observe(boolean journalHealthy, int unreachableNodes) {
    if (!journalHealthy || unreachableNodes > 0) {
      lastTroubleNanos.set(nanoTime.getAsLong());
    }
  }

  /** Nothing was seen in trouble for at least {@code period} (or ever). */
  boolean quietFor(Duration period) {
    long last = lastTroubleNanos.get();
    return last == NEVER || nanoTime.getAsLong() - last >= period.toNanos();
  }
}
