package io.herald.load.check;

import io.herald.load.report.LatencyMs;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * How long after the gateway received a frame its event was journaled: the event's {@code received_at_ms} to its
 * row's time-based uuid, both from the node's clock. The gateway acks once Kafka has the frame, so this is how far
 * the applying lags the acking, which a send→ack latency cannot show.
 */
public final class ApplyLatency {

  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private ApplyLatency() {}

  /** Over the first copy of each message with both times; null when no row has them. */
  public static LatencyMs of(Collection<List<JournalEntry>> journaled) {
    var micros = new Histogram(HIGHEST_MICROS, 3);
    var seen = new HashSet<String>();
    for (var rows : journaled) {
      for (var row : rows) {
        if (row.receivedAtMs() > 0 && row.writtenAtMs() > 0 && seen.add(row.messageId())) {
          long ms = Math.max(0, row.writtenAtMs() - row.receivedAtMs());
          micros.recordValue(Math.min(HIGHEST_MICROS, ms * 1_000));
        }
      }
    }
    return micros.getTotalCount() == 0 ? null : LatencyMs.ofMicros(micros);
  }
}
