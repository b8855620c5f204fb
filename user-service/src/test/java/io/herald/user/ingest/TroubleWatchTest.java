package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TroubleWatchTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final TroubleWatch watch = new TroubleWatch(now::get);
  private final Duration quiet = Duration.ofSeconds(60);

  @Test
  void quietUntilTroubleIsSeenThenOnlyAfterTheQuietPeriod() {
    assertTrue(watch.quietFor(quiet));
    watch.observe(true, 0);
    assertTrue(watch.quietFor(quiet), "healthy and reachable is no trouble");

    watch.observe(false, 0);
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    watch.observe(true, 0);
    assertFalse(watch.quietFor(quiet), "the journal failed 59 s ago");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertTrue(watch.quietFor(quiet));

    watch.observe(true, 1);
    assertFalse(watch.quietFor(quiet), "a node is unreachable");
  }
}
