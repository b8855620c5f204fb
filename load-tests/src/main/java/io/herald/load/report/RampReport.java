package io.herald.load.report;

import java.util.List;
import java.util.Optional;

/**
 * A ramp to saturation as the report shows it.
 *
 * @param p99BoundMs the p99 send→ack bound a step had to stay under
 * @param keepUp the fraction of the offered rate a step's acks had to reach
 * @param saturationRate the highest offered rate that passed; {@code null} when the first step failed
 * @param saturated whether a step failed (when not, the saturation rate is only a lower bound)
 * @param steps every step run, in order
 */
public record RampReport(double p99BoundMs, double keepUp, Double saturationRate, boolean saturated,
    List<StepRow> steps) {

  public RampReport {
    steps = List.copyOf(steps);
  }

  /** The node's CPU per acked frame at the saturation step; {@code null} without one or when not measured. */
  public Double cpuMsPerFrameAtSaturation() {
    return atSaturation().map(StepRow::cpuMsPerFrame).orElse(null);
  }

  /** The part of {@link #cpuMsPerFrameAtSaturation()} the node's JIT compiler used. */
  public Double jitCpuMsPerFrameAtSaturation() {
    return atSaturation().map(StepRow::jitCpuMsPerFrame).orElse(null);
  }

  private Optional<StepRow> atSaturation() {
    if (saturationRate == null) {
      return Optional.empty();
    }
    return steps.stream().filter(step -> step.passed() && step.rateTarget() == saturationRate).findFirst();
  }
}
