package io.herald.persistence;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Entity persist latency (herald.entity.persist, by entity type): from the command that persists to the moment its
 * events are stored, which is when the entity answers.
 */
public final class PersistLatency {

  private final Timer timer;

  public PersistLatency(String entityType) {
    this.timer = Timer.builder("herald.entity.persist")
        .description("From a persisting command to its events being stored in the journal")
        .tag("entity", entityType)
        .publishPercentileHistogram()
        .register(Metrics.globalRegistry);
  }

  /** A start mark for {@link #since(long)}. */
  public static long start() {
    return System.nanoTime();
  }

  public void since(long start) {
    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }
}
