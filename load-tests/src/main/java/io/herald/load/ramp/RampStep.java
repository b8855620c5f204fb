package io.herald.load.ramp;

import java.util.List;

/**
 * One step of a ramp and its verdict.
 *
 * @param number from 1
 * @param measured what the step measured
 * @param failures why it did not pass ({@link StepCriteria}); empty when it passed
 */
public record RampStep(int number, StepMeasurement measured, List<String> failures) {

  public RampStep {
    failures = List.copyOf(failures);
  }

  public boolean passed() {
    return failures.isEmpty();
  }
}
