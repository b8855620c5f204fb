package io.herald.load.baseline;

import io.herald.load.report.LatencyMs;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Closed-model write loop shared by the baselines: as many writes as the semaphore allows, for a fixed time, each
 * timed from the call to its acknowledgement. The rate it reports is what the target sustains with that many
 * writes in flight, i.e. its capacity on this machine.
 */
final class BoundedLoad {

  /** Latencies above an hour are clamped: a histogram must have a bound. */
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private BoundedLoad() {}

  /**
   * @param write issues write number {@code i}; its stage completes when the target acknowledged it. A write that
   *     throws counts as failed.
   */
  static BaselineResult run(String name, BaselineSettings settings, LongFunction<CompletionStage<?>> write) {
    var inFlight = new Semaphore(settings.maxInFlight());
    var latencyMicros = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    var succeeded = new LongAdder();
    var failed = new LongAdder();
    long measuredFrom = System.nanoTime() + settings.warmUp().toNanos();
    long until = measuredFrom + settings.duration().toNanos();
    var lastCompletion = new AtomicLong(measuredFrom);
    try {
      for (long i = 0; ; i++) {
        long left = until - System.nanoTime();
        if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          break;
        }
        long started = System.nanoTime();
        boolean measured = started >= measuredFrom;
        CompletionStage<?> stage;
        try {
          stage = write.apply(i);
        } catch (RuntimeException e) {
          inFlight.release();
          if (measured) {
            failed.increment();
          }
          continue;
        }
        stage.whenComplete((ignored, failure) -> {
          long now = System.nanoTime();
          if (measured) {
            if (failure == null) {
              succeeded.increment();
              latencyMicros.recordValue(Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(now - started)));
              lastCompletion.accumulateAndGet(now, Math::max);
            } else {
              failed.increment();
            }
          }
          inFlight.release();
        });
      }
      // Every permit back means every write has completed; those still out after the bound count as failed.
      if (!inFlight.tryAcquire(settings.maxInFlight(), settings.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        failed.add(settings.maxInFlight() - inFlight.availablePermits());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double seconds = Math.max(1e-3, (lastCompletion.get() - measuredFrom) / 1e9);
    long ok = succeeded.sum();
    return new BaselineResult(name, ok, failed.sum(), Math.round(seconds * 1000) / 1000.0,
        Math.round(ok / seconds * 10) / 10.0, LatencyMs.ofMicros(latencyMicros));
  }
}
