package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.load.report.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short {@code ramp} (with the raw baselines first) and {@code overload} runs, from the command line's arguments,
 * against one real node in this JVM on the shared Kafka and Cassandra. The node's per-device limit is lowered so the
 * overload's excess meets the gateway's admission. Whether a step passes, and at what rate, is measured and
 * reported, never asserted: what is asserted is that nothing is lost, duplicated or reordered, and that the summary
 * states what the scenario is about.
 */
@ExtendWith(InfraExtension.class)
class RampAndOverloadScenarioTest {

  /**
   * Frames per second (and burst) one device may send: above what a ramp step offers per device (at most 40/s over
   * 20 devices), below what the overload does (6/s, each frame sent as it arrives since they all fit in the client's
   * in-flight window): 12 frames per device in 2 s against 3 + 2 × 3 tokens, so some are nacked however slow acks are.
   */
  private static final int DEVICE_LIMIT = 3;

  private static LoadTestNode node;

  @BeforeAll
  static void startNode(Kafka kafka, Cassandra cassandra) {
    node = LoadTestNode.start(kafka, cassandra, Map.of(
        "herald.gateway.limits.device-frames-per-second", DEVICE_LIMIT,
        "herald.gateway.limits.device-burst", DEVICE_LIMIT));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aShortRampWithBaselinesFindsASaturationRateStepByStepAndKeepsTheInvariants(@TempDir Path report)
      throws Exception {
    var plan = plan("--scenario", "ramp", "--report", report.toString(), "--users", "20", "--rate", "10",
        "--warm-up", "2s", "--ramp-factor", "2", "--ramp-steps", "3", "--duration", "2s",
        // Generous, so that on a busy 2-core box the ramp usually climbs all three steps; not asserted.
        "--p99-bound", "2s", "--keep-up", "0.5",
        "--kafka", node.kafkaBootstrap(), "--baseline-duration", "1s");

    var result = Scenarios.run(plan, System.out);

    assertInvariantsHold(result.summary());
    assertTrue(result.check().clean(), () -> "checker: " + result.check());
    String json = Files.readString(report.resolve("summary.json"));
    assertFields(json, "\"scenario\": \"ramp\"", "\"saturation_rate\"", "\"ramp\"", "\"steps\"", "\"p50_ms\"",
        "\"p99_ms\"", "\"passed\"", "\"p99_bound_ms\": 2000", "\"baselines\"", "\"raw_kafka\"", "\"raw_cassandra\"",
        "\"rate_per_s\"");
    assertTrue(json.matches("(?s).*\"ratio_to_raw_kafka\": [0-9.]+,.*"), "a measured ratio to raw Kafka: " + json);
    assertTrue(json.matches("(?s).*\"ratio_to_raw_cassandra\": [0-9.]+,.*"), "a measured ratio to Cassandra: " + json);
    assertTrue(Files.exists(report.resolve("steps/step-1/summary.json")), "each step has its own report");
    assertTrue(Files.exists(report.resolve("steps/warm-up/summary.json")), "so has the warm-up");
    String html = Files.readString(report.resolve("report.html"));
    assertTrue(html.contains("Ramp to saturation") && html.contains("<polyline"), "the per-step plot");
    assertTrue(html.contains("raw_kafka") && html.contains("raw_cassandra"), "the baselines in the report");
  }

  @Test
  void anOverloadAtThreeTimesTheSaturationRateIsAnsweredWithRetryLaterAndKeepsTheInvariants(@TempDir Path report)
      throws Exception {
    // 2 devices at 3 × 4 = 12 frames/s: 6 per device and second against a limit of 3.
    var plan = plan("--scenario", "overload", "--report", report.toString(), "--users", "2",
        "--saturation-rate", "4", "--overload-factor", "3", "--duration", "2s", "--warm-up", "0s");

    var result = Scenarios.run(plan, System.out);

    RunSummary summary = result.summary();
    assertInvariantsHold(summary);
    assertEquals(12.0, summary.rateTarget());
    Long retryLater = summary.nackedByCode().get("RETRY_LATER");
    assertNotNull(retryLater, () -> "the excess is nacked: " + summary.nackedByCode());
    assertTrue(retryLater > 0);
    assertTrue(summary.acked() > 0, "accepted frames are acked");
    String json = Files.readString(report.resolve("summary.json"));
    assertFields(json, "\"scenario\": \"overload\"", "\"overload_factor\": 3", "\"saturation_rate\": 4",
        "\"saturation_from\": \"given\"", "\"offered_rate\": 12", "\"RETRY_LATER\"", "\"latency_ms\"",
        "\"ratio_to_raw_kafka\": null", "\"ratio_to_raw_cassandra\": null");
    assertTrue(Files.exists(report.resolve("overload/report.html")), "the overload phase's own report and plots");
  }

  private static ScenarioPlan plan(String... options) {
    var args = new ArrayList<>(node.targetArguments());
    args.addAll(List.of(options));
    return LoadMain.parsePlan(args, Map.of());
  }

  private static void assertInvariantsHold(RunSummary summary) {
    assertEquals(0, summary.lost(), () -> "lost: " + summary.findings());
    assertEquals(0, summary.duplicates(), () -> "duplicates: " + summary.findings());
    assertEquals(0, summary.outOfOrder(), () -> "out of order: " + summary.findings());
    assertTrue(summary.applied() >= summary.acked(), "every acked frame was applied");
  }

  private static void assertFields(String json, String... fields) {
    for (String field : fields) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
  }
}
