package io.herald.load.ramp;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A finished ramp.
 *
 * @param steps the steps run, in order; only the last one can have failed
 * @param saturationRate the highest offered rate that passed; empty when the first step already failed
 * @param saturated whether a step failed; when not, the plan ran out first and {@code saturationRate} is only a
 *     lower bound of the capacity
 */
public record RampResult(List<RampStep> steps, OptionalDouble saturationRate, boolean saturated) {

  public RampResult {
    steps = List.copyOf(steps);
  }

  /** The step that ran at the saturation rate. */
  public Optional<RampStep> saturationStep() {
    return steps.stream().filter(RampStep::passed).reduce((first, second) -> second);
  }
}
