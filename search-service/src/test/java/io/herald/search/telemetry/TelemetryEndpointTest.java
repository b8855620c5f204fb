package io.herald.search.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's parameters: what is accepted, what answers 400 and why; several devices' buckets added up. */
class TelemetryEndpointTest {

  private static final TelemetrySettings.QueryLimits LIMITS =
      new TelemetrySettings.QueryLimits(8, 1440, 200, 32, Duration.ofSeconds(1));

  @Test
  void aValidQueryStartsAtItsFirstBucket() {
    var query = TelemetryEndpoint.parse(Map.of("key", "t", "bucket", "1h", "from", "3600001", "to", "7200000"), LIMITS);
    assertEquals(new TelemetryEndpoint.Query("t", BucketSize.HOUR, 3_600_000, 7_200_000), query);
    // A day of minutes is the most.
    TelemetryEndpoint.parse(Map.of("key", "t", "bucket", "1m", "from", "0", "to", "86400000"), LIMITS);
  }

  @Test
  void badParametersAreRefusedWithTheReason() {
    var bad = List.<Map<String, String>>of(
        Map.of("bucket", "1h", "from", "0", "to", "1"),
        Map.of("key", "123456789", "bucket", "1h", "from", "0", "to", "1"),
        Map.of("key", "t", "bucket", "5m", "from", "0", "to", "1"),
        Map.of("key", "t", "from", "0", "to", "1"),
        Map.of("key", "t", "bucket", "1h", "to", "1"),
        Map.of("key", "t", "bucket", "1h", "from", "-1", "to", "1"),
        Map.of("key", "t", "bucket", "1h", "from", "x", "to", "1"),
        Map.of("key", "t", "bucket", "1h", "from", "5", "to", "5"),
        Map.of("key", "t", "bucket", "1h", "from", "0", "to", "9007199254740992"),
        Map.of("key", "t", "bucket", "1m", "from", "0", "to", "86400001"));
    for (var params : bad) {
      var refused = assertThrows(IllegalArgumentException.class, () -> TelemetryEndpoint.parse(params, LIMITS),
          params::toString);
      assertEquals(false, refused.getMessage().isBlank());
    }
  }

  @Test
  void devicesBucketsAreAddedUpBucketByBucket() {
    var a = List.of(row("a", 0, 2, 1, 5, 6), row("a", 60_000, 1, 3, 3, 3));
    var b = List.of(row("b", 60_000, 2, -1, 2, 1));
    var combined = TelemetryEndpoint.combined(List.of(a, b));
    assertEquals(2, combined.size());
    assertEquals(List.of(2L, 3L), combined.stream().map(Rollup::count).toList());
    var second = combined.get(1);
    assertEquals(List.of(-1.0, 3.0, 4.0), List.of(second.min(), second.max(), second.sum()));
  }

  private static Rollup row(String device, long start, long count, double min, double max, double sum) {
    return new Rollup(new Rollup.Key(device, "t", BucketSize.MINUTE, start), count, min, max, sum, 9);
  }
}
