package io.herald.node.warmup;

import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Rejected;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the warm-up traffic got back: answers by kind, and the ack latencies of the last window (bounded: a ring of
 * the most recent ones). Shared by the warm-up sessions, so every method is thread-safe.
 */
final class WarmUpTally {

  private static final int LATENCIES_KEPT = 4096;

  private final String runId;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong pushes = new AtomicLong();
  private final AtomicLong chatPushes = new AtomicLong();
  private final AtomicLong rejectedCount = new AtomicLong();
  private final Map<NackCode, Long> refused = new EnumMap<>(NackCode.class);
  private final long[] latenciesNanos = new long[LATENCIES_KEPT];
  private int latencyCount;
  private volatile String firstFailure;
  private final java.util.List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();

  WarmUpTally(String runId) {
    this.runId = runId;
  }

  /** A message id unique to this warm-up run (a device's ids must never repeat: Herald deduplicates by them). */
  String nextMessageId() {
    return runId + "-" + messages.incrementAndGet();
  }

  void sent() {
    sent.incrementAndGet();
    frames("sent").increment();
  }

  void acked(long latencyNanos) {
    acked.incrementAndGet();
    frames("acked").increment();
    synchronized (latenciesNanos) {
      latenciesNanos[latencyCount++ % LATENCIES_KEPT] = latencyNanos;
    }
  }

  void refused(NackCode code) {
    synchronized (refused) {
      refused.merge(code, 1L, Long::sum);
    }
    frames("refused").increment();
  }

  /** A frame acked and then refused by its entity: the warm-up's own traffic should never be. */
  void rejected(Rejected rejected) {
    rejectedCount.incrementAndGet();
    failed("frame " + rejected.getMessageId() + " refused by its entity: " + rejected.getCode() + " "
        + rejected.getDetail());
  }

  void pushed(boolean chat) {
    pushes.incrementAndGet();
    if (chat) {
      chatPushes.incrementAndGet();
    }
  }

  void failed(String why) {
    if (firstFailure == null) {
      firstFailure = why;
    }
  }

  void phaseEnded(String phase) {
    phases.add(phase);
  }

  WarmUpReport report(long elapsedMillis, boolean completed, String why) {
    long[] recent;
    synchronized (latenciesNanos) {
      recent = Arrays.copyOf(latenciesNanos, Math.min(latencyCount, LATENCIES_KEPT));
    }
    Arrays.sort(recent);
    Map<NackCode, Long> refusals;
    synchronized (refused) {
      refusals = Map.copyOf(refused);
    }
    return new WarmUpReport(completed && firstFailure == null, why != null ? why : firstFailure, elapsedMillis,
        sent.get(), acked.get(), refusals, rejectedCount.get(), pushes.get(), chatPushes.get(),
        percentileMillis(recent, 0.5), percentileMillis(recent, 0.99), String.join(", ", phases));
  }

  private static double percentileMillis(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }

  private static Counter frames(String outcome) {
    return Counter.builder("herald.node.warm-up.frames").description("Frames of the node's own warm-up traffic")
        .tag("outcome", outcome).register(Metrics.globalRegistry);
  }
}
