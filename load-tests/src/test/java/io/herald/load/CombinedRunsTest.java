package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.herald.load.check.CheckResult;
import io.herald.load.check.Finding;
import io.herald.load.report.LatencyMs;
import io.herald.load.report.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CombinedRunsTest {

  @Test
  void countsAndVerdictsAddUpOverThePhasesWhileRateAndLatencyAreThoseOfThePhaseTheRunIsAbout() {
    var warmUp = phase(50, 100, Map.of(), 0, new LatencyMs(5, 50, 60, 70));
    var step = phase(100, 1000, Map.of("RETRY_LATER", 3L), 1, new LatencyMs(10, 90, 95, 99));
    var other = phase(200, 2000, Map.of("RETRY_LATER", 4L), 0, new LatencyMs(20, 900, 950, 990));

    RunSummary summary = CombinedRuns.summary("ramp", step, List.of(warmUp, step, other));
    CheckResult check = CombinedRuns.check(List.of(warmUp, step, other));

    assertEquals("ramp", summary.scenario());
    assertEquals(3100, summary.sent());
    assertEquals(3100, summary.acked());
    assertEquals(Map.of("RETRY_LATER", 7L), summary.nackedByCode());
    assertEquals(1, summary.duplicates());
    assertEquals(100, summary.rateTarget());
    assertEquals(99.0, summary.throughputPerS());
    assertEquals(90, summary.latencyMs().p99());
    assertEquals(1, summary.findings().size());
    assertEquals(1, check.duplicates());
    assertFalse(check.clean(), "a duplicate in any phase makes the run unclean");
  }

  private static ScenarioResult phase(double rate, long frames, Map<String, Long> nacks, long duplicates,
      LatencyMs latency) {
    List<Finding> findings = duplicates == 0 ? List.of() : List.of(new Finding(Finding.Kind.DUPLICATE, "d", "m"));
    var summary = new RunSummary("steady", rate, 10, 20, frames, frames, nacks, 0, 0, 0, 0, 0, frames + duplicates, 0,
        0, duplicates, 0, 0, 0, 0, rate * 0.99, latency, null, null, null, findings);
    var check = new CheckResult(frames, frames + duplicates, 0, duplicates, 0, 0, 0, 0, 0, findings);
    return new ScenarioResult(summary, check, Path.of("unused"));
  }
}
