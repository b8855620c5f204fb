package io.herald.load.sessions;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/** What the sessions of one worker process have done so far; updated by their threads, read once a second. */
final class SessionCounters {

  // Microseconds, up to an hour, 3 significant digits: connect→welcome and send→ack.
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  final AtomicLong started = new AtomicLong();
  final AtomicLong opened = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong closedByServer = new AtomicLong();
  final AtomicLong heartbeatsSent = new AtomicLong();
  final AtomicLong heartbeatsAcked = new AtomicLong();
  final AtomicLong heartbeatsNacked = new AtomicLong();
  final AtomicLong pushes = new AtomicLong();
  final AtomicLong trafficSent = new AtomicLong();
  final AtomicLong trafficAcked = new AtomicLong();
  final AtomicLong trafficNacked = new AtomicLong();
  /** Traffic frames sent and not yet answered: message id → System.nanoTime() at sending. */
  final ConcurrentHashMap<String, Long> trafficPending = new ConcurrentHashMap<>();
  private final Histogram connectMicros = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram trafficMicros = new Histogram(HIGHEST_MICROS, 3);

  synchronized void recordConnect(long micros) {
    connectMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
  }

  synchronized void recordTraffic(long micros) {
    trafficMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
  }

  synchronized Histogram connectLatency() {
    return connectMicros.copy();
  }

  synchronized Histogram trafficLatency() {
    return trafficMicros.copy();
  }
}
