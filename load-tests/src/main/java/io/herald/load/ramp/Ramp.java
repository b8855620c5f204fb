package io.herald.load.ramp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.OptionalDouble;

/** Climbs a {@link RampPlan} one step at a time and stops at the first step that fails its {@link StepCriteria}. */
public final class Ramp {

  /** Runs one step at an offered rate and says what it measured. */
  @FunctionalInterface
  public interface StepRunner {
    StepMeasurement run(int number, double ratePerSecond) throws IOException;
  }

  private Ramp() {}

  public static RampResult climb(RampPlan plan, StepCriteria criteria, StepRunner runner) throws IOException {
    var steps = new ArrayList<RampStep>();
    OptionalDouble saturation = OptionalDouble.empty();
    for (int number = 1; number <= plan.maxSteps(); number++) {
      StepMeasurement measured = runner.run(number, plan.rate(number));
      var step = new RampStep(number, measured, criteria.failures(measured));
      steps.add(step);
      if (!step.passed()) {
        // Past the first failure a higher rate is no evidence of capacity, only of a backlog from before.
        return new RampResult(steps, saturation, true);
      }
      saturation = OptionalDouble.of(measured.rateTarget());
    }
    return new RampResult(steps, saturation, false);
  }
}
