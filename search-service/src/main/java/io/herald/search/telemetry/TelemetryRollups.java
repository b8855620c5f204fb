package io.herald.search.telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges telemetry events into their roll-up rows, exactly under replay: each row keeps the sequence number of the
 * last event merged into it ({@code applied_seq_nr}), and an event at or below it was merged before and is skipped
 * for that row. A device's events come in sequence order (one projection instance per tag, one tag per device) and
 * each row is written whole (in a single-partition batch: atomic in Cassandra), so a row either has an event or not, and
 * says which: a batch that failed half-way and is replayed adds to the rows it did not write and to no other.
 */
final class TelemetryRollups {

  /** One journaled telemetry event as the projection reads it. */
  record Recorded(String deviceId, long seqNr, Map<String, Double> readings, long receivedAtMs) {}

  private TelemetryRollups() {}

  /** The rows these events touch, for every bucket size. */
  static Set<Rollup.Key> keys(List<Recorded> events) {
    var keys = new LinkedHashSet<Rollup.Key>();
    for (var event : events) {
      for (var readingKey : event.readings().keySet()) {
        for (var size : BucketSize.values()) {
          keys.add(new Rollup.Key(event.deviceId(), readingKey, size, size.bucketStart(event.receivedAtMs())));
        }
      }
    }
    return keys;
  }

  /**
   * The rows to write: each touched row of {@code before} (missing: none yet) with the events after its
   * {@code applied_seq_nr} merged in, in the order given. Rows no event changes are not returned.
   */
  static List<Rollup> merge(List<Recorded> events, Map<Rollup.Key, Rollup> before) {
    var rows = new LinkedHashMap<Rollup.Key, Rollup>();
    var changed = new LinkedHashSet<Rollup.Key>();
    for (var event : events) {
      for (var reading : event.readings().entrySet()) {
        for (var size : BucketSize.values()) {
          var key = new Rollup.Key(event.deviceId(), reading.getKey(), size, size.bucketStart(event.receivedAtMs()));
          var row = rows.computeIfAbsent(key, k -> before.getOrDefault(k, Rollup.empty(k)));
          if (event.seqNr() <= row.appliedSeqNr()) {
            continue; // merged before: a replay after a restart
          }
          rows.put(key, row.plus(reading.getValue(), event.seqNr()));
          changed.add(key);
        }
      }
    }
    var result = new ArrayList<Rollup>();
    changed.forEach(key -> result.add(rows.get(key)));
    return result;
  }
}
