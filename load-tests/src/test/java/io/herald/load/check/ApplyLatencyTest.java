package io.herald.load.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Receipt to journal row, over the first copy of each message that has both times. */
class ApplyLatencyTest {

  @Test
  void theFirstCopyOfEachMessageWithBothTimesCounts() {
    var device = List.of(
        new JournalEntry("m1", "Device|d1", 1, "w", 1_100, 1_000),
        new JournalEntry("m2", "Device|d1", 2, "w", 1_400, 1_000),
        new JournalEntry("m1", "Device|d1", 3, "w2", 9_000, 1_000), // a duplicate's later copy: not a second sample
        new JournalEntry("m3", "Device|d1", 0, CassandraJournal.FROM_SNAPSHOT, 0, 0)); // deleted: no times
    var chat = List.of(new JournalEntry("c1", "Conversation|c", 1, "w", 1_200, 1_000),
        new JournalEntry("r1", "Device|d2", 1, "w", 1_300, 0)); // an event without received_at_ms

    var latency = ApplyLatency.of(List.of(device, chat));

    assertEquals(200, latency.p50(), 1, "100, 200 and 400 ms: the median is 200");
    assertEquals(400, latency.max(), 1);
  }

  @Test
  void noRowWithBothTimesGivesNoFigure() {
    assertNull(ApplyLatency.of(List.of(List.of(new JournalEntry("r1", "Device|d2", 1, "w", 1_300, 0)))));
  }
}
