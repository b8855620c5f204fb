package io.herald.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StaleIfErrorTest {

  private final AtomicLong now = new AtomicLong();

  @Test
  void keepsTheLastGoodAnswerPerKeyUpToTheMaximumAge() {
    var kept = new StaleIfError<String>(10, Duration.ofMinutes(10), now::get);
    kept.keep("alice/d-1", "v1");
    kept.keep("alice/d-1", "v2");
    now.addAndGet(Duration.ofMinutes(3).toNanos());

    var stale = kept.lastGood("alice/d-1").orElseThrow();
    assertEquals("v2", stale.answer());
    assertEquals(Duration.ofMinutes(3), stale.age());
    assertEquals(Optional.empty(), kept.lastGood("bob/d-1"));

    now.addAndGet(Duration.ofMinutes(8).toNanos());
    assertEquals(Optional.empty(), kept.lastGood("alice/d-1"), "older than max-age");
  }

  @Test
  void holdsAtMostMaxEntriesDroppingTheLeastRecentlyUsed() {
    var kept = new StaleIfError<String>(2, Duration.ofMinutes(10), now::get);
    kept.keep("a", "1");
    kept.keep("b", "2");
    assertTrue(kept.lastGood("a").isPresent()); // a is now the most recently used
    kept.keep("c", "3");

    assertTrue(kept.lastGood("a").isPresent());
    assertEquals(Optional.empty(), kept.lastGood("b"));
    assertTrue(kept.lastGood("c").isPresent());
  }
}
