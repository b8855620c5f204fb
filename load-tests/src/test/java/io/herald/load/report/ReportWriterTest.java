package io.herald.load.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.check.Finding;
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
      metrics.sample();
    }
    var summary = new RunSummary("steady", 100, 3, 5, 300, 300, metrics.nacksByCode(), 0, 0, 0, 0, 0, 301, 4,
        0, 1, 0, 1, 0, 0, 100, metrics.latency(), null, List.of(new Finding(Finding.Kind.DUPLICATE, "d<1>", "m1")));

    ReportWriter.write(directory, summary, metrics.timeline());

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"scenario\": \"steady\"", "\"rate_target\": 100", "\"sent\": 300", "\"acked\": 300",
        "\"nacked_by_code\"", "\"RETRY_LATER\": 3", "\"applied\": 301", "\"delivered\": 4", "\"lost\": 0",
        "\"duplicates\": 1", "\"out_of_order\": 0", "\"throughput_per_s\": 100", "\"latency_ms\"", "\"p50\"",
        "\"p99\"", "\"p999\"", "\"max\"")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertEquals(3, metrics.timeline().size());
    assertEquals(100, metrics.timeline().get(1).acked());
    assertTrue(summary.latencyMs().p99() >= 98 && summary.latencyMs().p99() <= 101, summary.latencyMs().toString());

    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.contains("<svg"), "inline SVG plot");
    assertTrue(html.contains("<polyline"), "a plotted line");
    assertTrue(html.contains("d&lt;1&gt;"), "escaped finding");
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.contains("http://") && html.contains("src="), "no external resources");
  }
}
