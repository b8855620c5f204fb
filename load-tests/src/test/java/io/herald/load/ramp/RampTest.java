package io.herald.load.ramp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.report.LatencyMs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/** The saturation logic on synthetic steps: no load, no network. */
class RampTest {

  private static final RampPlan DOUBLING = new RampPlan(10, 2, 6);
  private static final StepCriteria CRITERIA = new StepCriteria(Duration.ofMillis(500), 0.9, Duration.ofSeconds(1));

  @Test
  void offersGeometricRates() {
    assertEquals(List.of(10.0, 20.0, 40.0, 80.0), List.of(DOUBLING.rate(1), DOUBLING.rate(2), DOUBLING.rate(3),
        DOUBLING.rate(4)));
    assertEquals(22.5, new RampPlan(10, 1.5, 3).rate(3));
  }

  @Test
  void theSaturationRateIsTheHighestStepThatPassedAndNoStepRunsAfterTheFirstOverTheBound() throws Exception {
    var offered = new ArrayList<Double>();
    // p99 grows with the rate and crosses 500 ms at 80/s; acks keep up everywhere.
    RampResult ramp = Ramp.climb(DOUBLING, CRITERIA, recording(offered, rate -> keptUp(rate, rate * 7)));

    assertEquals(List.of(10.0, 20.0, 40.0, 80.0), offered, "stopped at the first step over the bound");
    assertEquals(40.0, ramp.saturationRate().getAsDouble());
    assertTrue(ramp.saturated());
    assertEquals(3, ramp.saturationStep().orElseThrow().number());
    RampStep last = ramp.steps().get(3);
    assertFalse(last.passed());
    assertTrue(last.failures().get(0).startsWith("p99 560.0 ms > bound 500.0 ms"), last.failures().toString());
  }

  @Test
  void aStepWhoseAcksFallBehindTheOfferedRateFailsEvenWithALowP99() throws Exception {
    RampResult ramp = Ramp.climb(DOUBLING, CRITERIA, (number, rate) -> rate < 40
        ? keptUp(rate, 20)
        // Every frame acked, p99 fine, but the last ack came late: 30 acks/s for 40 offered.
        : new StepMeasurement(rate, (long) rate * 10, (long) rate * 10, rate * 0.75, latency(40), null));

    assertEquals(20.0, ramp.saturationRate().getAsDouble());
    assertEquals(3, ramp.steps().size());
    assertTrue(ramp.steps().get(2).failures().get(0).startsWith("acks 30.0/s < 0.90 × offered 40.0/s"),
        ramp.steps().get(2).failures().toString());
  }

  @Test
  void aStepWithFramesNotAckedFails() {
    var measured = new StepMeasurement(100, 1000, 998, 99.5, latency(30), null);

    assertEquals(List.of("2 of 1000 offered frames not acked"), CRITERIA.failures(measured));
  }

  @Test
  void aStepWhoseFramesWereAppliedLongAfterTheirAcksFails() {
    var appliedLate = new StepMeasurement(100, 1000, 1000, 99.5, latency(30), latency(3_000));
    var appliedInTime = new StepMeasurement(100, 1000, 1000, 99.5, latency(30), latency(200));

    assertEquals(List.of("applied p99 3000.0 ms after receipt > bound 1000.0 ms"), CRITERIA.failures(appliedLate));
    assertEquals(List.of(), CRITERIA.failures(appliedInTime));
  }

  @Test
  void whenTheFirstStepFailsThereIsNoSaturationRate() throws Exception {
    RampResult ramp = Ramp.climb(DOUBLING, CRITERIA, (number, rate) -> keptUp(rate, 900));

    assertTrue(ramp.saturationRate().isEmpty());
    assertTrue(ramp.saturated());
    assertEquals(1, ramp.steps().size());
    assertTrue(ramp.saturationStep().isEmpty());
  }

  @Test
  void whenNoStepFailsTheLastRateIsOnlyALowerBound() throws Exception {
    RampResult ramp = Ramp.climb(new RampPlan(10, 2, 3), CRITERIA, (number, rate) -> keptUp(rate, 10));

    assertEquals(40.0, ramp.saturationRate().getAsDouble());
    assertFalse(ramp.saturated());
    assertEquals(3, ramp.steps().size());
  }

  @Test
  void theBoundIsInclusive() {
    assertEquals(List.of(), CRITERIA.failures(keptUp(100, 500)));
  }

  @Test
  void refusesPlansThatCannotEndOrDoNotRise() {
    assertThrows(IllegalArgumentException.class, () -> new RampPlan(10, 1, 5));
    assertThrows(IllegalArgumentException.class, () -> new RampPlan(10, 2, RampPlan.MAX_STEPS + 1));
    assertThrows(IllegalArgumentException.class, () -> new StepCriteria(Duration.ZERO, 0.9, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new StepCriteria(Duration.ofMillis(1), 1.5, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new StepCriteria(Duration.ofMillis(1), 0.9, Duration.ZERO));
  }

  private static Ramp.StepRunner recording(List<Double> offered, DoubleFunction<StepMeasurement> measure) {
    return (number, rate) -> {
      offered.add(rate);
      return measure.apply(rate);
    };
  }

  /** A 10 s step in which every frame was acked at the offered rate, with the given p99. */
  private static StepMeasurement keptUp(double rate, double p99Ms) {
    long frames = Math.round(rate * 10);
    return new StepMeasurement(rate, frames, frames, rate * 0.97, latency(p99Ms), null);
  }

  private static LatencyMs latency(double p99Ms) {
    return new LatencyMs(p99Ms / 4, p99Ms, p99Ms * 1.2, p99Ms * 1.5);
  }
}
