package io.herald.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProjectionProgressTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProjectionProgress progress =
      new ProjectionProgress("test-projection", List.of("t-0", "t-1"), registry, clock);

  @Test
  void lagIsUnknownUntilAGroupIsIndexedThenTheTimeFromTheNewestEventsWriteToItsIndexing() {
    assertTrue(Double.isNaN(progress.lagSeconds("t-0")));
    assertTrue(Double.isNaN(gauge("herald.projection.lag", "t-0")));

    progress.indexed("t-0", 3, now.get() - 400);
    assertEquals(0.4, progress.lagSeconds("t-0"));
    now.addAndGet(60_000);
    assertEquals(0.4, progress.lagSeconds("t-0"), "an idle slice is not behind");
    assertEquals(3, registry.get("herald.projection.events").tag("slice", "t-0").counter().count());
    assertTrue(Double.isNaN(progress.lagSeconds("t-1")), "slices are apart");
  }

  @Test
  void whileGroupsFailTheLagIsTheAgeOfTheOldestEventNotIndexedAndGrows() {
    progress.indexed("t-0", 1, now.get() - 100);
    long oldestPending = now.get() + 1_000;
    now.addAndGet(3_000);
    progress.failed("t-0", oldestPending, new IllegalStateException("Solr down"));
    assertTrue(progress.failing("t-0"));
    assertEquals(1.0, gauge("herald.projection.failing", "t-0"));
    assertEquals(2.0, progress.lagSeconds("t-0"));
    now.addAndGet(5_000);
    progress.failed("t-0", oldestPending + 500, new IllegalStateException("Solr still down"));
    assertEquals(7.0, gauge("herald.projection.lag", "t-0"), "the oldest pending event counts");
    assertEquals(2, registry.get("herald.projection.failures").tag("slice", "t-0").counter().count());
    @SuppressWarnings("unchecked")
    var slice = (Map<String, Object>) ((Map<String, Object>) progress.summary().get("slices")).get("t-0");
    assertEquals(true, slice.get("failing"));
    assertEquals("Solr still down", slice.get("last_failure"));

    progress.indexed("t-0", 5, now.get() - 200);
    assertFalse(progress.failing("t-0"));
    assertEquals(0.2, progress.lagSeconds("t-0"));
  }

  private double gauge(String name, String slice) {
    return registry.get(name).tag("projection", "test-projection").tag("slice", slice).gauge().value();
  }
}
