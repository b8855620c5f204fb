package io.herald.search.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Roll-ups per bucket size, and exact under replay: an event at or below a row's applied_seq_nr is not merged again. */
class TelemetryRollupsTest {

  private static final long HOUR = 3_600_000L;

  @Test
  void eachReadingGoesToItsMinuteHourAndDayBucket() {
    var events = List.of(
        new TelemetryRollups.Recorded("d1", 1, Map.of("t", 20.0), 10 * HOUR + 1_000),
        new TelemetryRollups.Recorded("d1", 2, Map.of("t", 22.0, "h", 50.0), 10 * HOUR + 59_000),
        new TelemetryRollups.Recorded("d1", 3, Map.of("t", 18.0), 10 * HOUR + 61_000));
    var rows = byKey(TelemetryRollups.merge(events, Map.of()));

    assertEquals(new Rollup(key("t", BucketSize.MINUTE, 10 * HOUR), 2, 20, 22, 42, 2),
        rows.get(key("t", BucketSize.MINUTE, 10 * HOUR)));
    assertEquals(new Rollup(key("t", BucketSize.MINUTE, 10 * HOUR + 60_000), 1, 18, 18, 18, 3),
        rows.get(key("t", BucketSize.MINUTE, 10 * HOUR + 60_000)));
    assertEquals(new Rollup(key("t", BucketSize.HOUR, 10 * HOUR), 3, 18, 22, 60, 3),
        rows.get(key("t", BucketSize.HOUR, 10 * HOUR)));
    assertEquals(new Rollup(key("t", BucketSize.DAY, 0), 3, 18, 22, 60, 3), rows.get(key("t", BucketSize.DAY, 0)));
    assertEquals(new Rollup(key("h", BucketSize.DAY, 0), 1, 50, 50, 50, 2), rows.get(key("h", BucketSize.DAY, 0)));
    assertEquals(7, rows.size(), rows::toString);
  }

  @Test
  void aReplayedGroupChangesNothingAndAHalfWrittenOneCompletesExactly() {
    var events = List.of(
        new TelemetryRollups.Recorded("d1", 1, Map.of("t", 1.0), 0),
        new TelemetryRollups.Recorded("d1", 2, Map.of("t", 2.0), 61_000),
        new TelemetryRollups.Recorded("d1", 3, Map.of("t", 4.0), 62_000));
    var once = byKey(TelemetryRollups.merge(events, Map.of()));

    // Every row written, then the same group again (the offset was not saved): nothing to write.
    assertEquals(List.of(), TelemetryRollups.merge(events, once));

    // Only the hour row was written before a crash; the replay completes the others and leaves the hour row alone.
    var hourOnly = Map.of(key("t", BucketSize.HOUR, 0), once.get(key("t", BucketSize.HOUR, 0)));
    var replayed = byKey(TelemetryRollups.merge(events, hourOnly));
    assertEquals(false, replayed.containsKey(key("t", BucketSize.HOUR, 0)));
    var all = new HashMap<>(hourOnly);
    all.putAll(replayed);
    assertEquals(once, all);

    // A replay from the middle (events 2 and 3 again, then a new one) adds only the new one.
    var more = List.of(events.get(1), events.get(2), new TelemetryRollups.Recorded("d1", 4, Map.of("t", 8.0), 63_000));
    var after = byKey(TelemetryRollups.merge(more, once));
    assertEquals(new Rollup(key("t", BucketSize.HOUR, 0), 4, 1, 8, 15, 4), after.get(key("t", BucketSize.HOUR, 0)));
    assertEquals(new Rollup(key("t", BucketSize.MINUTE, 60_000), 3, 2, 8, 14, 4),
        after.get(key("t", BucketSize.MINUTE, 60_000)));
  }

  @Test
  void partitionsAreTimeBucketedAndBounded() {
    assertEquals(1440, BucketSize.MINUTE.partitionSpanMs() / BucketSize.MINUTE.millis());
    assertEquals(720, BucketSize.HOUR.partitionSpanMs() / BucketSize.HOUR.millis());
    assertEquals(1000, BucketSize.DAY.partitionSpanMs() / BucketSize.DAY.millis());
    var key = key("t", BucketSize.MINUTE, 86_400_000L + 120_000);
    assertEquals(86_400_000L, key.partitionStartMs());
  }

  private static Rollup.Key key(String readingKey, BucketSize size, long start) {
    return new Rollup.Key("d1", readingKey, size, start);
  }

  private static Map<Rollup.Key, Rollup> byKey(List<Rollup> rows) {
    var map = new HashMap<Rollup.Key, Rollup>();
    rows.forEach(row -> map.put(row.key(), row));
    return map;
  }
}
