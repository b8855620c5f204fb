package io.herald.load.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.baseline.BaselineResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportsTest {

  @TempDir
  Path directory;

  private static final LatencyMs LATENCY = new LatencyMs(5, 40, 80, 120);

  private static ScaleReport.Phase phase(int devices, double ackedPerS, Long heapBefore, Long heapAfter,
      long entitiesBefore, long entitiesAfter) {
    return new ScaleReport.Phase(devices, Math.min(devices, 30_000), 1000, 30, 30_000, 0, 30_000, Map.of(), 0,
        ackedPerS, LATENCY, 30_000, entitiesBefore, entitiesAfter, heapBefore, heapAfter);
  }

  @Test
  void theScaleRatioIsManyDevicesRateOverFewDevicesRate() {
    var met = new ScaleReport(List.of(phase(1_000, 1000, null, null, 0, 0), phase(1_000_000, 800, null, null, 0, 0)),
        BaselineComparison.NOT_MEASURED, 0.8);
    var missed = new ScaleReport(List.of(phase(1_000, 1000, null, null, 0, 0), phase(1_000_000, 799, null, null, 0,
        0)), BaselineComparison.NOT_MEASURED, 0.8);
    var nothingAcked = new ScaleReport(List.of(phase(1_000, 0, null, null, 0, 0), phase(1_000_000, 10, null, null, 0,
        0)), BaselineComparison.NOT_MEASURED, 0.8);

    assertEquals(0.8, met.ratio());
    assertTrue(met.met());
    assertEquals(0.799, missed.ratio());
    assertFalse(missed.met());
    assertNull(nothingAcked.ratio(), "no rate to divide by");
    assertFalse(nothingAcked.met());
  }

  @Test
  void heapPerEntityIsTheHeapTheEntitiesAddedOverTheEntitiesAdded() {
    assertEquals(2500.0, phase(1_000, 1, 100_000_000L, 150_000_000L, 0, 20_000).heapPerEntityBytes());
    assertEquals(1000.0, phase(1_000, 1, 100_000_000L, 110_000_000L, 5_000, 15_000).heapPerEntityBytes(),
        "entities alive before the phase are not the phase's");
    assertNull(phase(1_000, 1, null, null, 0, 20_000).heapPerEntityBytes(), "no heap reading: not measured");
    assertNull(phase(1_000, 1, 100L, 200L, 10, 10).heapPerEntityBytes(), "no entity added: nothing to divide by");
  }

  @Test
  void writesTheScaleSummaryWithRatiosToTheBaselinesAndSaysWhatWasNotMeasured() throws Exception {
    var baselines = new BaselineComparison(new BaselineResult("raw_kafka", 10_000, 0, 5, 20_000, LATENCY), null);
    var report = new ScaleReport(List.of(phase(1_000, 1000, 100_000_000L, 120_000_000L, 0, 8_000),
        phase(1_000_000, 900, null, null, 0, 60_000)), baselines, 0.8);

    ReportWriter.write(directory, report);

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"scenario\": \"scale\"", "\"ratio\": 0.9", "\"met\": true", "\"devices\": 1000000",
        "\"devices_touched\": 30000", "\"acked_per_s\": 900", "\"ratio_to_raw_kafka\": 0.05",
        "\"ratio_to_raw_cassandra\": null", "\"heap_per_entity_bytes\": 2500", "\"heap_per_entity_bytes\": null",
        "\"rate_per_s\": 20000")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("<b>0.9</b>") && html.contains("not measured (needs --node-pid)"), html);
  }

  @Test
  void recoveryMeetsItsTargetOnlyWithTheEntitysOwnFreshAnswerInTime() {
    assertTrue(recovery(999.9, 200, false).met());
    assertFalse(recovery(1000.1, 200, false).met(), "too slow");
    assertFalse(recovery(300, 503, false).met(), "the entity did not answer within the gateway's ask timeout");
    assertFalse(recovery(300, 200, true).met(), "a kept answer served stale is not the entity's");
  }

  @Test
  void writesTheRecoverySummary() throws Exception {
    ReportWriter.write(directory, new RecoveryReport("load-x-d0", 100_000, 100_000, 250, 100_000, 31.5, 640.2, 200,
        false, 12.5, 1000));

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"scenario\": \"recovery\"", "\"events\": 100000", "\"write_rate_per_s\": 400",
        "\"time_to_first_answer_ms\": 640.2", "\"warm_answer_ms\": 12.5", "\"met\": true")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertTrue(Files.readString(directory.resolve(ReportWriter.HTML)).contains("Met"));
  }

  private static RecoveryReport recovery(double firstAnswerMs, int status, boolean stale) {
    return new RecoveryReport("d", 10, 10, 1, 10, 30, firstAnswerMs, status, stale, 5, 1000);
  }

  private static RunSummary steadyPhase(LatencyMs latency, LatencyMs pushLatency, long lost) {
    return new RunSummary("noisy-neighbour", 200, 30, 20, 6_000, 6_000, Map.of(), 0, 0, 0, 0, 0, 6_000, 1_200, lost, 0,
        0, 0, 0, 0, 200, latency, pushLatency, null, null, List.of());
  }

  @Test
  void theNoisyNeighbourRatiosAreTheOthersP99BesideTheHostileUserOverAlone() throws Exception {
    var hostile = new NoisyNeighbourReport.Hostile(7, 5_000, 4_200, 700,
        Map.of("rejected TOO_LARGE", 21L, "nack RETRY_LATER", 1_400L, "http 429", 350L, "welcome pushes_missed", 1L));
    var report = new NoisyNeighbourReport(steadyPhase(LATENCY, new LatencyMs(8, 50, 90, 100), 0),
        steadyPhase(new LatencyMs(6, 60, 90, 150), new LatencyMs(9, 125, 200, 300), 1), hostile, "1.00 0.80 0.50",
        "3.10 1.20 0.70");

    assertEquals(1.5, report.p99Ratio());
    assertEquals(2.5, report.pushP99Ratio());
    assertEquals(1, report.lost(), "both phases' verdicts add up");
    assertNull(new NoisyNeighbourReport(steadyPhase(LATENCY, null, 0), steadyPhase(LATENCY, null, 0), hostile, "", "")
        .pushP99Ratio(), "no chat in the mix, no push ratio");
    assertNull(new NoisyNeighbourReport(steadyPhase(LatencyMs.NONE, null, 0), steadyPhase(LATENCY, null, 0), hostile,
        "", "").p99Ratio(), "nothing acked alone: no ratio");

    ReportWriter.write(directory, report);
    String json = Files.readString(directory.resolve("summary.json"));
    for (String field : List.of("\"scenario\": \"noisy-neighbour\"", "\"p99_ratio\": 1.5", "\"push_p99_ratio\": 2.5",
        "\"phase\": \"alone\"", "\"phase\": \"noisy\"", "\"rejected TOO_LARGE\": 21", "\"http 429\": 350",
        "\"welcome pushes_missed\": 1", "\"load_average_before\": \"1.00 0.80 0.50\"", "\"lost\": 1")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertTrue(Files.readString(directory.resolve("report.html")).contains("rejected TOO_LARGE"));
  }
}
