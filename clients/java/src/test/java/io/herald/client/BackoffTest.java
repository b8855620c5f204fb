package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2.0, 0.2);
  private final SplittableRandom random = new SplittableRandom(42);

  @Test
  void growsExponentiallyWithinTheJitterAndStopsAtTheCap() {
    for (int i = 0; i < 100; i++) {
      long first = backoff.delay(1, 0, random).toMillis();
      long third = backoff.delay(3, 0, random).toMillis();
      long tenth = backoff.delay(10, 0, random).toMillis();
      assertTrue(first >= 80 && first <= 120, "first " + first);
      assertTrue(third >= 320 && third <= 480, "third " + third);
      assertTrue(tenth >= 1600 && tenth <= 2400, "tenth " + tenth);
    }
  }

  @Test
  void theServersRetryAfterIsAFloorEvenAboveTheCap() {
    for (int i = 0; i < 100; i++) {
      long delay = backoff.delay(1, 5000, random).toMillis();
      assertTrue(delay >= 5000 && delay <= 6000, "delay " + delay);
    }
  }
}
