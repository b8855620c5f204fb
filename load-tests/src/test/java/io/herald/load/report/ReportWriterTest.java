package io.herald.load.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.check.Finding;
import io.herald.load.check.JournalEntry;
import io.herald.protocol.device.v1.NackCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @TempDir Path directory;

  @Test
  void writesTheSummaryFieldsAndASelfContainedPageWithPlots() throws Exception {
    var metrics = new RunMetrics();
    for (int second = 0; second < 3; second++) {
      for (int i = 1; i <= 100; i++) {
        metrics.sent();
        metrics.acked(TimeUnit.MILLISECONDS.toNanos(i));
      }
      metrics.nacked(NackCode.RETRY_LATER);
      metrics.nackLatency(TimeUnit.MILLISECONDS.toNanos(3));
      metrics.sample();
    }
    var summary = new RunSummary("steady", 100, 3, 5, 300, 300, metrics.nacksByCode(), 0, 0, 0, 0, 0, 301, 4,
        0, 1, 0, 1, 0, 0, 100, metrics.latency(), null,
        metrics.nackLatency().orElseThrow(), new LatencyMs(120, 900, 950, 1000), List.of(new Finding(Finding.Kind.DUPLICATE, "d<1>", "m1",
            List.of(new JournalEntry("m1", "Device|d<1>", 7, "writer-a", 0, 0),
                new JournalEntry("m1", "Device|d<1>", 9, "writer-b", 30_000, 0)))));

    ReportWriter.write(directory, summary, metrics.timeline());

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"scenario\": \"steady\"", "\"rate_target\": 100", "\"sent\": 300", "\"acked\": 300",
        "\"nacked_by_code\"", "\"RETRY_LATER\": 3", "\"applied\": 301", "\"delivered\": 4", "\"lost\": 0",
        "\"duplicates\": 1", "\"out_of_order\": 0", "\"throughput_per_s\": 100", "\"latency_ms\"", "\"p50\"",
        "\"p99\"", "\"p999\"", "\"max\"", "\"nack_latency_ms\"", "\"copies\"", "\"writer_uuid\": \"writer-b\"", "\"sequence_nr\": 9",
        "\"written_at\": \"1970-01-01T00:00:30Z\"", "\"apply_latency_ms\"", "\"p99\": 900")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertEquals(3, metrics.timeline().size());
    assertEquals(100, metrics.timeline().get(1).acked());
    assertTrue(summary.latencyMs().p99() >= 98 && summary.latencyMs().p99() <= 101, summary.latencyMs().toString());
    assertEquals(3, summary.nackLatencyMs().max(), 0.01);

    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("<svg"), "inline SVG plot");
    assertTrue(html.contains("<polyline"), "a plotted line");
    assertTrue(html.contains("d&lt;1&gt;"), "escaped finding");
    assertTrue(html.contains("received&rarr;journaled"), "the apply latency's row");
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.contains("http://") && html.contains("src="), "no external resources");
  }

  @Test
  void writesTheRatiosToTheBaselinesAndTheRampSteps() throws Exception {
    var latency = new LatencyMs(10, 40, 60, 80);
    var summary = new RunSummary("ramp", 200, 6, 5, 600, 600, java.util.Map.of(), 0, 0, 0, 0, 0, 600, 0, 0, 0, 0, 0,
        0, 0, 190, latency, null, null, null, List.of());
    var baselines = new BaselineComparison(
        new io.herald.load.baseline.BaselineResult("raw_kafka", 9500, 0, 5, 1900, latency), null);
    var ramp = new RampReport(500, 0.9, 200.0, true, List.of(
        new StepRow(1, 100, 97, 200, 200, latency, true, "", null, null),
        new StepRow(2, 200, 190, 400, 400, latency, true, "", null, null),
        new StepRow(3, 400, 250, 800, 700, new LatencyMs(300, 900, 1000, 1200), false, "p99 900 ms > bound 500 ms",
            null, null)));

    ReportWriter.write(directory, summary, List.of(), new ReportExtras(baselines, ramp, null, null));

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"ratio_to_raw_kafka\": 0.1,", "\"ratio_to_raw_cassandra\": null",
        "\"saturation_rate\": 200", "\"saturated\": true", "\"p99_ms\": 900", "\"passed\": false",
        "\"rate_per_s\": 1900")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("Ramp to saturation") && html.contains("<polyline"), "the per-step plot");
    assertTrue(html.contains("p99 900 ms &gt; bound 500 ms"), "the failing step's reason, escaped");
    assertTrue(json.contains("\"cpu_ms_per_frame\": null"), "CPU not measured is null, not 0: " + json);
    assertTrue(html.contains("not measured"), "the page says CPU was not measured");
  }

  @Test
  void writesTheNodeCpuPerFrameOfEveryStepAndAtSaturation() throws Exception {
    var latency = new LatencyMs(10, 40, 60, 80);
    var summary = new RunSummary("ramp", 200, 6, 5, 600, 600, java.util.Map.of(), 0, 0, 0, 0, 0, 600, 0, 0, 0, 0, 0,
        0, 0, 190, latency, null, null, null, List.of());
    var ramp = new RampReport(500, 0.9, 200.0, true, List.of(
        new StepRow(1, 100, 97, 200, 200, latency, true, "", 0.9, 0.2),
        new StepRow(2, 200, 190, 400, 400, latency, true, "", 0.625, 0.125),
        new StepRow(3, 400, 250, 800, 700, new LatencyMs(300, 900, 1000, 1200), false, "p99 900 ms > bound 500 ms",
            0.4, 0.05)));

    ReportWriter.write(directory, summary, List.of(), new ReportExtras(BaselineComparison.NOT_MEASURED, ramp, null,
        null));

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    assertTrue(json.contains("\"saturation_rate\": 200,\n  \"cpu_ms_per_frame\": 0.625,\n"
        + "  \"jit_cpu_ms_per_frame\": 0.125,"), "the saturation step's CPU and its JIT part at the top: " + json);
    assertTrue(json.contains("\"cpu_ms_per_frame\": 0.9") && json.contains("\"cpu_ms_per_frame\": 0.4"),
        "every step's CPU: " + json);
    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("Node CPU per acked frame at saturation: <b>0.625 ms</b>, of which its JIT compiler "
        + "<b>0.125 ms</b>"), html);
    assertFalse(html.contains("not measured"), "measured everywhere");
  }

  @Test
  void writesTheRunMetadataThePerSecondSeriesAndTheLatencyDistribution() throws Exception {
    var metrics = new RunMetrics();
    for (int second = 1; second <= 2; second++) {
      for (int i = 1; i <= 1000; i++) {
        metrics.sent();
        metrics.acked(TimeUnit.MILLISECONDS.toNanos(i * second));
      }
      metrics.nacked(NackCode.RETRY_LATER);
      for (int push = 0; push < second * 3; push++) {
        metrics.pushed(TimeUnit.MILLISECONDS.toNanos(5));
      }
      metrics.sample();
    }
    var summary = new RunSummary("steady", 1000, 2, 4, 2000, 2000, metrics.nacksByCode(), 0, 0, 0, 0, 0, 2000, 0,
        0, 0, 0, 0, 0, 0, 1000, metrics.latency(), null, null, null, List.of());
    var started = RunMetadata.start(java.util.Map.of("devices", "4"),
        java.time.Clock.fixed(java.time.Instant.parse("2026-12-06T10:00:00Z"), java.time.ZoneOffset.UTC));

    ReportWriter.write(directory, summary, metrics.timeline(),
        ReportExtras.NONE.withRun(started.ended()).withLatency(metrics.latencyDistribution()));

    // summary.json is JSON (Jackson reads it back) with the old fields and the run's metadata.
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(directory.resolve(ReportWriter.SUMMARY).toFile());
    assertEquals(2000, json.get("acked").asLong());
    assertEquals(2, json.get("nacked_by_code").get("RETRY_LATER").asLong());
    assertTrue(json.get("latency_ms").get("p99").asDouble() > 1000, json.toString());
    var run = json.get("run");
    assertEquals(Runtime.getRuntime().availableProcessors(), run.get("cpus").asInt());
    assertTrue(run.get("jvm").asText().contains(Integer.toString(Runtime.version().feature())), run.toString());
    assertEquals("2026-12-06T10:00:00Z", run.get("started_at").asText());
    assertEquals("4", run.get("settings").get("devices").asText());
    assertTrue(run.has("load_average_start") && run.has("load_average_end") && run.has("herald_version")
        && run.has("herald_commit"), run.toString());

    // One row per second: the second's offered, acked, nacked, its own p50 and p99, and the chat pushes of it.
    List<String> series = Files.readAllLines(directory.resolve(ReportWriter.SERIES));
    assertEquals("second,offered,acked,nacked,p50_ms,p99_ms,pushed", series.get(0));
    assertEquals(3, series.size(), series.toString());
    String[] first = series.get(1).split(",");
    String[] second = series.get(2).split(",");
    assertEquals(List.of("1", "1000", "1000", "1"), List.of(first).subList(0, 4));
    assertEquals(500, Double.parseDouble(first[4]), 1);
    assertEquals(990, Double.parseDouble(first[5]), 1);
    assertEquals(1000, Double.parseDouble(second[4]), 2, "the second second's own median, twice the first's");
    assertEquals(List.of("3", "6"), List.of(first[6], second[6]), "each second's own pushes");

    // HdrHistogram's percentile distribution (in ms) beside it, and plotted on the 1/(1-p) scale.
    String hgrm = Files.readString(directory.resolve(ReportWriter.LATENCY_DISTRIBUTION));
    assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
    assertTrue(hgrm.contains("#[Max     =     2000."), hgrm);
    var points = metrics.latencyDistribution().points();
    assertEquals(100.0, points.get(points.size() - 1).percentile());
    assertEquals(2000, points.get(points.size() - 1).latencyMs(), 2);
    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("aria-label=\"latency by percentile\""), "the distribution plot");
    assertTrue(html.contains(">99.9%<"), "the percentile axis in nines");
    assertTrue(html.contains("<h2>Run</h2>"), "the run's metadata");
  }

  @Test
  void thePercentileAxisIsLogarithmicInOneOverOneMinusP() {
    assertEquals(0, PercentileChart.nines(0), 1e-9);
    assertEquals(1, PercentileChart.nines(90), 1e-9);
    assertEquals(3, PercentileChart.nines(99.9), 1e-9);
  }
}
