package io.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DedupWindowTest {

  @Test
  void anIdKeptWithItsScopeIsNotAnotherScopesAndABareIdFromBeforeCountsForEvery() {
    var window = DedupWindow.of(10, List.of("m-old"));
    window.add("alice", "m-1");
    assertTrue(window.contains("alice", "m-1"));
    assertFalse(window.contains("bob", "m-1"), "ids are unique per device, not across them");
    assertTrue(window.contains("bob", "m-old"), "a bare id of an older snapshot still counts");
  }

  @Test
  void theOldestLeaveFirst() {
    var window = new DedupWindow(2);
    window.add("a", "1");
    window.add("a", "2");
    window.add("a", "1");
    window.add("a", "3");
    assertEquals(2, window.size());
    assertFalse(window.contains("a", "2"), "2 was the least recently added");
    assertTrue(window.contains("a", "1"));
  }
}
