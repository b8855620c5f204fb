package io.herald.persistence.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The fence's rules on a clock the test moves: a pause is seen by whichever side looks first, and it is final. */
class WriterFenceTest {

  private static final long TICK = Duration.ofMillis(100).toNanos();

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final WriterFence fence = new WriterFence(Duration.ofSeconds(2), now::get);

  @Test
  void writesPassWhileTheWatchdogBeats() {
    for (int i = 0; i < 50; i++) {
      now.addAndGet(TICK);
      fence.beat(TICK);
      assertTrue(fence.permits());
    }
    assertFalse(fence.fenced());
  }

  @Test
  void aWriterThatWakesBeforeTheWatchdogIsRefusedAndFencesForGood() {
    fence.beat(TICK);
    now.addAndGet(Duration.ofSeconds(30).toNanos());

    assertFalse(fence.permits(), "the first write after the pause, before any beat");
    fence.beat(TICK);
    assertFalse(fence.permits(), "a later beat does not renew a fenced node");
    assertTrue(fence.fenced());
  }

  @Test
  void aWatchdogThatWakesFirstFencesBeforeAnyWrite() {
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    fence.beat(TICK);

    assertTrue(fence.fenced());
    assertFalse(fence.permits());
  }

  @Test
  void aPauseShorterThanMaxPauseKeepsTheNodeWriting() {
    now.addAndGet(Duration.ofMillis(1_900).toNanos());
    assertTrue(fence.permits());
    fence.beat(TICK);
    assertFalse(fence.fenced());
  }

  @Test
  void beingDownedFences() {
    fence.fence("downed");
    assertFalse(fence.permits());
  }

  @Test
  void aMaxPauseTheClusterCouldOutlastIsRefused() {
    assertThrows(IllegalStateException.class, () -> fence.requireBelow(Duration.ofSeconds(2)));
    fence.requireBelow(Duration.ofSeconds(8));
  }

  @Test
  void autoMaxPauseIsHalfOfTheEarliestReplacementAndAnExplicitOneIsKept() {
    var cluster = ConfigFactory.parseMap(Map.of(
        "herald.persistence.fence.max-pause", "auto",
        WriterFence.HEARTBEAT_PAUSE, "3s",
        WriterFence.STABLE_AFTER, "5s"));
    assertEquals(Duration.ofSeconds(4), WriterFence.maxPause(cluster));
    assertEquals(Duration.ofMillis(1500), WriterFence.maxPause(ConfigFactory.parseMap(
        Map.of("herald.persistence.fence.max-pause", "1500ms")).withFallback(cluster)));
    assertThrows(IllegalStateException.class, () -> WriterFence.maxPause(ConfigFactory.parseMap(
        Map.of("herald.persistence.fence.max-pause", "auto"))));
  }
}
