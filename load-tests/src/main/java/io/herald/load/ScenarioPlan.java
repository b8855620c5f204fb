package io.herald.load;

import io.herald.load.sim.TrafficMix;
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
 * @param warmUp an unjudged steady phase before a ramp's first step (at its rate) and before an overload with a
 *     given saturation rate (at that rate), so the first judged phase does not measure JIT compilation and
 *     connection set-up; zero: none. Its counts and invariants are part of the run's.
 * @param mix what the devices send (telemetry, shadow reports, chat)
 * @param node the node's process and management port (CPU per frame, entity counts, heap)
 * @param recovery the {@code recovery} scenario's events and passivation bound
 * @param scale the {@code scale} scenario's device counts
 * @param hostile what the {@code noisy-neighbour} scenario's hostile user does each round
 */
public record ScenarioPlan(ScenarioSettings settings, RampPlan ramp, StepCriteria criteria, double overloadFactor,
    OptionalDouble saturationRate, Optional<BaselineTargets> baselines, Duration warmUp, TrafficMix mix,
    NodeAccess node, RecoveryPlan recovery, ScalePlan scale, HostilePlan hostile) {

  public static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(5);

  public static final RampPlan DEFAULT_RAMP = new RampPlan(50, 1.5, 10);
  public static final StepCriteria DEFAULT_CRITERIA = new StepCriteria(Duration.ofMillis(500), 0.9, Duration.ofSeconds(1));
  public static final double DEFAULT_OVERLOAD_FACTOR = 3;

  public ScenarioPlan {
    if (!(overloadFactor >= 1) || overloadFactor > 100) {
      throw new IllegalArgumentException("the overload factor must be in [1, 100], got " + overloadFactor);
    }
    if (saturationRate.isPresent() && !(saturationRate.getAsDouble() > 0)) {
      throw new IllegalArgumentException("the saturation rate must be > 0, got " + saturationRate.getAsDouble());
    }
    if (warmUp.isNegative() || warmUp.compareTo(ScenarioSettings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("the warm-up must be in [0, " + ScenarioSettings.MAX_DURATION + "], got "
          + warmUp);
    }
  }

  /** The settings alone, with the default ramp and overload, no baselines. */
  public static ScenarioPlan of(ScenarioSettings settings) {
    return new ScenarioPlan(settings, DEFAULT_RAMP, DEFAULT_CRITERIA, DEFAULT_OVERLOAD_FACTOR, OptionalDouble.empty(),
        Optional.empty(), DEFAULT_WARM_UP, TrafficMix.TELEMETRY_ONLY, NodeAccess.DEFAULT, RecoveryPlan.DEFAULT,
        ScalePlan.DEFAULT, HostilePlan.DEFAULT);
  }

  public ScenarioPlan withRamp(RampPlan value, StepCriteria criteriaValue) {
    return new ScenarioPlan(settings, value, criteriaValue, overloadFactor, saturationRate, baselines, warmUp, mix,
        node, recovery, scale, hostile);
  }

  public ScenarioPlan withOverload(double factor, OptionalDouble saturation) {
    return new ScenarioPlan(settings, ramp, criteria, factor, saturation, baselines, warmUp, mix,
        node, recovery, scale, hostile);
  }

  public ScenarioPlan withWarmUp(Duration value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, value, mix,
        node, recovery, scale, hostile);
  }

  public ScenarioPlan withBaselines(BaselineTargets value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, Optional.of(value), warmUp, mix,
        node, recovery, scale, hostile);
  }

  public ScenarioPlan withNode(NodeAccess value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, warmUp, mix, value,
        recovery, scale, hostile);
  }

  public ScenarioPlan withRecovery(RecoveryPlan value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, warmUp, mix, node,
        value, scale, hostile);
  }

  public ScenarioPlan withScale(ScalePlan value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, warmUp, mix, node,
        recovery, value, hostile);
  }

  public ScenarioPlan withHostile(HostilePlan value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, warmUp, mix, node,
        recovery, scale, value);
  }

  public ScenarioPlan withMix(TrafficMix value) {
    return new ScenarioPlan(settings, ramp, criteria, overloadFactor, saturationRate, baselines, warmUp, value,
        node, recovery, scale, hostile);
  }
}
