package io.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DedupWindowTest {

  private static final long HOUR = Duration.ofHours(1).toMillis();
  // At most 3 ids, each kept at least 24 hours.
  private static final DedupWindow.Bounds BOUNDS = new DedupWindow.Bounds(3, Duration.ofHours(24));
  private static final long T0 = 1_800_000_000_000L;

  @Test
  void anIdKeptWithItsScopeIsNotAnotherScopesAndABareIdFromBeforeCountsForEvery() {
    var window = DedupWindow.of(new DedupWindow.Bounds(10, Duration.ofHours(24)), List.of("m-old"), List.of());
    window.add("alice", "m-1", T0);
    assertTrue(window.contains("alice", "m-1"));
    assertFalse(window.contains("bob", "m-1"), "ids are unique per device, not across them");
    assertTrue(window.contains("bob", "m-old"), "a bare id of an older snapshot still counts");
  }

  @Test
  void theOldestLeaveFirst() {
    var window = new DedupWindow(new DedupWindow.Bounds(2, Duration.ofHours(24)));
    window.add("a", "1", T0);
    window.add("a", "2", T0 + 1);
    window.add("a", "1", T0 + 2);
    window.add("a", "3", T0 + 3);
    assertEquals(2, window.size());
    assertFalse(window.contains("a", "2"), "2 was the least recently added");
    assertTrue(window.contains("a", "1"));
  }

  @Test
  void anIdIsKeptForTheWholeHorizonAndForgottenOnceANewerOneIsPastIt() {
    var window = new DedupWindow(new DedupWindow.Bounds(100, Duration.ofHours(24)));
    window.add("d", "1", T0);
    window.add("d", "2", T0 + 24 * HOUR);
    assertTrue(window.contains("d", "1"), "exactly at the horizon the id is still kept");
    window.add("d", "3", T0 + 24 * HOUR + 1);
    assertFalse(window.contains("d", "1"), "past the horizon of the newest id, the oldest is forgotten");
    assertTrue(window.contains("d", "2"));
    assertEquals(2, window.size());
  }

  @Test
  void theCountBoundEvictsBeforeTheHorizonAndSaysSo() {
    var early = new ArrayList<Long>();
    var window = new DedupWindow(BOUNDS);
    window.reportTo(early::add);
    for (int i = 0; i < 4; i++) {
      window.add("d", "m-" + i, T0 + i * HOUR);
    }
    assertEquals(3, window.size());
    assertFalse(window.contains("d", "m-0"), "the count bound holds whatever the horizon");
    assertEquals(List.of(3 * HOUR), early, "m-0 left 3 hours old, 21 hours before its horizon");
  }

  @Test
  void anIdForgottenByTimeIsNotReportedAsEarly() {
    var early = new ArrayList<Long>();
    var window = new DedupWindow(new DedupWindow.Bounds(1, Duration.ofHours(24)));
    window.reportTo(early::add);
    window.add("d", "m-0", T0);
    window.add("d", "m-1", T0 + 25 * HOUR);
    assertEquals(List.of(), early);
  }

  @Test
  void aSnapshotKeepsEachIdsTime() {
    var window = new DedupWindow(BOUNDS);
    window.add("d", "m-0", T0);
    window.add("d", "m-1", T0 + HOUR);
    var restored = DedupWindow.of(BOUNDS, window.toList(), window.appliedAtMs());
    assertEquals(window.toList(), restored.toList());
    assertEquals(List.of(T0, T0 + HOUR), restored.appliedAtMs());
    restored.add("d", "m-2", T0 + 24 * HOUR + HOUR / 2);
    assertFalse(restored.contains("d", "m-0"), "m-0's time came back with the snapshot, so it expires");
    assertTrue(restored.contains("d", "m-1"));
  }

  @Test
  void idsOfAnOldSnapshotHaveNoTimeAndLeaveByCountOnly() {
    var window = DedupWindow.of(BOUNDS, List.of("old-1", "old-2"), List.of());
    assertEquals(List.of(DedupWindow.UNKNOWN_TIME, DedupWindow.UNKNOWN_TIME), window.appliedAtMs());
    window.add("d", "m-0", T0);
    window.add("d", "m-1", T0 + 48 * HOUR);
    assertFalse(window.contains("old-1"), "left by count, as before");
    assertTrue(window.contains("old-2"), "no time: never forgotten by time");
    assertTrue(window.contains("d", "m-0"), "behind an id without time nothing is forgotten by time");
  }

  @Test
  void eventsWithoutTimeNeitherMoveTheClockNorExpire() {
    var window = new DedupWindow(new DedupWindow.Bounds(10, Duration.ofHours(24)));
    window.add("d", "m-0", T0);
    window.add("d", "m-1", DedupWindow.UNKNOWN_TIME);
    window.add("d", "m-2", T0 + HOUR);
    assertEquals(3, window.size());
  }

  @Test
  void timesFromFarApartClocksDoNotOverflow() {
    var window = new DedupWindow(new DedupWindow.Bounds(10, Duration.ofHours(24)));
    window.add("d", "m-0", Long.MIN_VALUE + 1);
    window.add("d", "m-1", Long.MAX_VALUE);
    assertFalse(window.contains("d", "m-0"));
    assertTrue(window.contains("d", "m-1"));
  }
}
