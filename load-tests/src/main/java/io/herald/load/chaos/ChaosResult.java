package io.herald.load.chaos;

import io.herald.load.ScenarioResult;
import io.herald.load.report.FaultReport;
import java.util.Optional;

/**
 * How a chaos scenario ended.
 *
 * @param scenario the fault's name
 * @param load the load run's result and the checker's verdict; empty when skipped
 * @param fault recovery_s, markers and the fault's own checks; empty when skipped
 * @param skippedBecause why the scenario did not run, when it did not
 */
public record ChaosResult(String scenario, Optional<ScenarioResult> load, Optional<FaultReport> fault,
    Optional<String> skippedBecause) {

  static ChaosResult skipped(String scenario, String reason) {
    return new ChaosResult(scenario, Optional.empty(), Optional.empty(), Optional.of(reason));
  }

  /** Invariants held (nothing lost, duplicated, reordered, no push gap) and the fault's own checks too. */
  public boolean held() {
    return load.isPresent() && load.get().check().clean() && fault.map(f -> f.problems().isEmpty()).orElse(false);
  }

  public boolean wasSkipped() {
    return skippedBecause.isPresent();
  }
}
