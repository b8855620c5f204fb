package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short steady run against a real node (in this JVM) on real Kafka and Cassandra: the checker, reading Cassandra,
 * finds nothing lost, duplicated or reordered, and the report is written. Speeds go to the report, not to asserts.
 */
@ExtendWith(InfraExtension.class)
class SteadyScenarioTest {

  @Test
  void aShortSteadyRunLosesNothingAppliesOnceInOrderAndWritesTheReport(Kafka kafka, Cassandra cassandra,
      @TempDir Path reportDirectory) throws Exception {
    try (var node = LoadTestNode.start(kafka, cassandra)) {
      var settings = node.steady(20, 40, Duration.ofSeconds(5), reportDirectory);

      var result = Scenarios.run(settings, System.out);

      var summary = result.summary();
      assertEquals(0, summary.lost(), () -> "lost: " + summary.findings());
      assertEquals(0, summary.duplicates(), () -> "duplicates: " + summary.findings());
      assertEquals(0, summary.outOfOrder(), () -> "out of order: " + summary.findings());
      assertEquals(200, summary.sent());
      assertEquals(summary.sent(), summary.acked(), "every frame was acked within the drain bound");
      assertTrue(summary.applied() >= summary.acked(), "every acked frame was applied");

      String json = Files.readString(reportDirectory.resolve("summary.json"));
      for (String field : List.of("scenario", "rate_target", "sent", "acked", "nacked_by_code", "applied", "delivered",
          "lost", "duplicates", "out_of_order", "throughput_per_s", "latency_ms", "p50", "p99", "p999", "max", "ratio_to_raw_kafka", "ratio_to_raw_cassandra")) {
        assertTrue(json.contains("\"" + field + "\""), field + " missing from " + json);
      }
      assertTrue(json.contains("\"ratio_to_raw_kafka\": null"), "no --kafka, no baselines: " + json);
      String html = Files.readString(reportDirectory.resolve("report.html"));
      assertTrue(html.contains("<svg"), "the report plots inline");
    }
  }
}
