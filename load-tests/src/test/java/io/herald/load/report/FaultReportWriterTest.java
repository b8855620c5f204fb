package io.herald.load.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chaos run's report: recovery_s and the fault's fields in summary.json, its markers on both plots. */
class FaultReportWriterTest {

  @TempDir Path directory;

  @Test
  void writesRecoveryAndTheFaultMarkers() throws Exception {
    var timeline = List.of(new TimelineSample(1, 40, 40, 0, 6, 12), new TimelineSample(2, 40, 0, 3, 0, 0),
        new TimelineSample(3, 40, 80, 0, 1000, 2100));
    var summary = new RunSummary("node-kill", 40, 3, 10, 120, 120, Map.of("RETRY_LATER", 3L), 0, 0, 0, 0, 0, 120, 0,
        0, 0, 0, 0, 0, 0, 40, new LatencyMs(10, 2100, 2200, 2300), null, null,
        null, List.of());
    var fault = new FaultReport("node-kill", 1.5, 1.5, List.of(
        new FaultMarker(1.5, FaultMarker.Kind.INJECTED, "SIGKILL node 1"),
        new FaultMarker(2.8, FaultMarker.Kind.HEALED, "node 1 replaced <pid 7>")),
        Map.of("frozen_node_exited", 1L), List.of());

    ReportWriter.write(directory, summary, timeline, ReportExtras.NONE.withFault(fault));

    String json = Files.readString(directory.resolve(ReportWriter.SUMMARY));
    for (String field : List.of("\"scenario\": \"node-kill\"", "\"rate_target\": 40", "\"recovery_s\": 1.5",
        "\"fault_at_s\": 1.5", "\"fault_markers\"", "\"kind\": \"injected\"", "\"kind\": \"healed\"",
        "\"what\": \"SIGKILL node 1\"", "\"frozen_node_exited\": 1", "\"fault_problems\": [", "\"lost\": 0")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertTrue(json.indexOf("\"recovery_s\"") < json.indexOf("\"findings\""), "fault fields before the findings");
    String html = Files.readString(directory.resolve(ReportWriter.HTML));
    assertTrue(html.split("stroke-dasharray", -1).length - 1 == 4, "two markers on each of the two plots");
    assertTrue(html.contains("node 1 replaced &lt;pid 7&gt;"), "escaped marker text");
    assertTrue(html.contains("recovery_s"), "recovery in the table");
  }
}
