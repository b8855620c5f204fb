package io.herald.load;

import io.herald.load.ramp.RampPlan;
import io.herald.load.ramp.StepCriteria;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A run with everything beyond the common settings: the ramp, the overload, and the baselines.
 *
 * @param settings the common settings; for {@code ramp} {@code ratePerSecond} is ignored ({@code ramp.startRate}
 *     is the first step's) and {@code duration} is each step's; for {@code overload} {@code duration} is the overload's
 * @param ramp the ramp's offered rates ({@code ramp}, and {@code overload} without a saturation rate)
 * @param criteria when a ramp step passes
 * @param overloadFactor the overload offers this × the saturation rate
 * @param saturationRate the saturation rate an overload multiplies; empty: run the ramp first
 * @param baselines the raw baselines to measure first; empty: none ({@code ratio_to_raw_*} are null)
 */
public record ScenarioPlan(ScenarioSettings settings, RampPlan ramp, StepCriteria criteria, double overloadFactor,
    OptionalDouble saturationRate, Optional<BaselineTargets> baselines) {

  public static final RampPlan DEFAULT_RAMP = new RampPlan(50, 1.5, 10);
  public static final StepCriteria DEFAULT_CRITERIA = new StepCriteria(Duration.ofMillis(500), 0.9);
  public static final double DEFAULT_OVERLOAD_FACTOR = 3;

  public ScenarioPlan {
    if (!(overloadFactor >= 1) || overloadFactor > 100) {
      throw new IllegalArgumentException("the overload factor must be in [1, 100], got " + overloadFactor);
    }
    if (saturationRate.isPresent() && !(saturationRate.getAsDouble() > 0)) {
      throw new IllegalArgumentException("the saturation rate must be > 0, got " + saturationRate.getAsDouble());
    }
  }

  /** The settings alone, with the default ramp and overload, no baselines. */
  public static ScenarioPlan of(ScenarioSettings settings) {
    return new ScenarioPlan(settings, DEFAULT_RAMP, DEFAULT_CRITERIA, DEFAULT_OVERLOAD_FACTOR, OptionalDouble.empty(),
        Optional.empty());
  }

  public ScenarioPlan withRamp(RampPlan value, StepCriteria criteriaValue) {
    return new ScenarioPlan(settings, value, criteriaValue, overloadFactor, saturationRate, baselines);
  }

  public ScenarioPlan withOverload(double factor, OptionalDouble saturation) {
    return new ScenarioPlan(settings, ramp, criteria, factor, saturation, baselines);
  }

  public ScenarioPlan withBaselines(BaselineTargets value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, Optional.of(value));
  }
}
