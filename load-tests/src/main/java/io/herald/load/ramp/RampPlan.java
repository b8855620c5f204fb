package io.herald.load.ramp;

/**
 * The offered rates of a ramp: {@code startRate × factor^(n-1)} for step n = 1..maxSteps. Geometric, so a few steps
 * cover an unknown capacity; the saturation rate is known to within one factor.
 *
 * @param startRate frames per second of the first step
 * @param factor how much each step offers more than the one before (&gt; 1)
 * @param maxSteps the ramp's bound: it stops after this many steps even if none failed
 */
public record RampPlan(double startRate, double factor, int maxSteps) {

  public static final int MAX_STEPS = 30;

  public RampPlan {
    if (!(startRate > 0)) {
      throw new IllegalArgumentException("the ramp's start rate must be > 0, got " + startRate);
    }
    if (!(factor > 1) || factor > 10) {
      throw new IllegalArgumentException("the ramp factor must be in (1, 10], got " + factor);
    }
    if (maxSteps < 1 || maxSteps > MAX_STEPS) {
      throw new IllegalArgumentException("the ramp's steps must be 1.." + MAX_STEPS + ", got " + maxSteps);
    }
  }

  /** The offered rate of step {@code number} (from 1), rounded to 0.1 frames/s. */
  public double rate(int number) {
    return Math.round(startRate * Math.pow(factor, number - 1) * 10) / 10.0;
  }
}
