package io.herald.load;

import io.herald.load.node.NodeCpu;
import io.herald.load.ramp.Ramp;
import io.herald.load.ramp.RampResult;
import io.herald.load.ramp.RampStep;
import io.herald.load.ramp.StepMeasurement;
import io.herald.load.report.BaselineComparison;
import io.herald.load.report.RampReport;
import io.herald.load.report.ReportExtras;
import io.herald.load.report.ReportWriter;
import io.herald.load.report.RunMetadata;
import io.herald.load.report.StepRow;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Ramp to saturation: steady steps at rising offered rates ({@link io.herald.load.ramp.RampPlan}), each on fresh
 * devices (so one step's backlog never shows in the next one's latency) with its own invariant check and report in
 * {@code DIR/steps/step-N}, until a step fails its {@link io.herald.load.ramp.StepCriteria}. The saturation rate is
 * the highest offered rate that passed.
 *
 * <p>The ramp's {@code summary.json} adds up the counts and the checker's verdicts of every step; its
 * {@code rate_target}, {@code throughput_per_s} and {@code latency_ms} are those of the saturation step (of the first
 * step when none passed).
 */
final class RampScenario {

  /** The bound on a step's wait for its last acks: the step's length, within these limits. */
  private static final Duration MIN_STEP_DRAIN = Duration.ofSeconds(5);
  private static final Duration MAX_STEP_DRAIN = Duration.ofSeconds(60);

  /**
   * A ramp run: what the ramp found, every step's result, the node's CPU per acked frame in each step and the part of
   * it its JIT compiler used (an element is {@code null} when not measured), and the warm-up's result when there was
   * one.
   */
  record Climbed(RampResult ramp, List<ScenarioResult> steps, List<Double> cpuMsPerFrame,
      List<Double> jitCpuMsPerFrame, Optional<ScenarioResult> warmUp) {

    /** Every phase run, the warm-up first: the run's counts and invariants are theirs. */
    List<ScenarioResult> phases() {
      var phases = new ArrayList<ScenarioResult>();
      warmUp.ifPresent(phases::add);
      phases.addAll(steps);
      return phases;
    }

    ScenarioResult saturationStepResult() {
      return ramp.saturationStep().map(step -> steps.get(step.number() - 1)).orElse(steps.get(0));
    }

    RampReport report(ScenarioPlan plan) {
      var rows = new ArrayList<StepRow>();
      for (RampStep step : ramp.steps()) {
        StepMeasurement m = step.measured();
        rows.add(new StepRow(step.number(), m.rateTarget(), m.throughputPerS(), m.offered(), m.acked(),
            m.latencyMs(), step.passed(), String.join("; ", step.failures()), cpuMsPerFrame.get(step.number() - 1),
            jitCpuMsPerFrame.get(step.number() - 1)));
      }
      return new RampReport(plan.criteria().p99Bound().toNanos() / 1e6, plan.criteria().keepUp(),
          ramp.saturationRate().isPresent() ? ramp.saturationRate().getAsDouble() : null, ramp.saturated(), rows);
    }
  }

  private RampScenario() {}

  static ScenarioResult run(ScenarioPlan plan, PrintStream progress, BaselineComparison baselines)
      throws IOException {
    RunMetadata.Started started = RunMetadata.start(plan.settings().described(), Clock.systemUTC());
    Climbed climbed = climb(plan, progress);
    RunMetadata run = started.ended();
    ScenarioSettings settings = plan.settings();
    var summary = CombinedRuns.summary("ramp", climbed.saturationStepResult(), climbed.phases());
    ReportWriter.write(settings.reportDirectory(), summary, List.of(),
        ReportExtras.of(baselines).withRamp(climbed.report(plan)).withRun(run));
    if (settings.printProgress()) {
      progress.println(saturationLine(climbed.ramp()) + " | report in " + settings.reportDirectory().toAbsolutePath());
    }
    return new ScenarioResult(summary, CombinedRuns.check(climbed.phases()), settings.reportDirectory());
  }

  /**
   * Runs the ramp's steps; each step's report goes to {@code DIR/steps/step-N}. With the node's pid, each step's node
   * CPU is its CPU time from the step's first offer until the checker found every acked frame applied (the applying
   * lags the acks, and is the larger part of a frame's cost), divided by the frames acked.
   */
  static Climbed climb(ScenarioPlan plan, PrintStream progress) throws IOException {
    ScenarioSettings base = plan.settings();
    Optional<NodeCpu> cpu = plan.node().cpu();
    Optional<ScenarioResult> warmUp = warmUp(plan, plan.ramp().rate(1), progress);
    var results = new ArrayList<ScenarioResult>();
    var cpuPerFrame = new ArrayList<Double>();
    var jitPerFrame = new ArrayList<Double>();
    RampResult ramp = Ramp.climb(plan.ramp(), plan.criteria(), (number, rate) -> {
      if (base.printProgress()) {
        progress.println(String.format(Locale.ROOT, "ramp step %d: %.1f frames/s for %d s", number, rate,
            base.duration().toSeconds()));
      }
      var cpuAtFirstOffer = new long[] {-1, -1};
      RunExtras meter = new RunExtras() {
        @Override
        public void offeringStarted(long startedNanos) {
          cpu.ifPresent(node -> {
            cpuAtFirstOffer[0] = node.cpuMillis();
            cpuAtFirstOffer[1] = node.compilerMillis();
          });
        }
      };
      ScenarioResult step = Scenarios.steady(stepSettings(base, number, rate), plan.mix(), progress,
          ReportExtras.NONE, meter);
      results.add(step);
      boolean measured = cpu.isPresent() && cpuAtFirstOffer[0] >= 0;
      Double perFrame = measured
          ? NodeCpu.perFrame(cpu.get().cpuMillis() - cpuAtFirstOffer[0], step.summary().acked()) : null;
      Double jit = measured
          ? NodeCpu.perFrame(cpu.get().compilerMillis() - cpuAtFirstOffer[1], step.summary().acked()) : null;
      cpuPerFrame.add(perFrame);
      jitPerFrame.add(jit);
      if (base.printProgress() && perFrame != null) {
        progress.println(String.format(Locale.ROOT, "ramp step %d: node CPU %.3f ms per acked frame (JIT %.3f)",
            number, perFrame, jit));
      }
      return StepMeasurement.of(step.summary());
    });
    if (base.printProgress()) {
      progress.println(saturationLine(ramp));
    }
    return new Climbed(ramp, results, cpuPerFrame, jitPerFrame, warmUp);
  }

  /** The plan's unjudged warm-up at {@code rate}, reported in {@code DIR/steps/warm-up}; none for a zero warm-up. */
  static Optional<ScenarioResult> warmUp(ScenarioPlan plan, double rate, PrintStream progress) throws IOException {
    if (plan.warmUp().isZero()) {
      return Optional.empty();
    }
    ScenarioSettings base = plan.settings();
    if (base.printProgress()) {
      progress.println(String.format(Locale.ROOT, "warm-up: %.1f frames/s for %d s (not judged)", rate,
          plan.warmUp().toSeconds()));
    }
    ScenarioSettings settings = new ScenarioSettings("warm-up", base.url(), base.jwtSecret(), base.devices(), rate,
        plan.warmUp(), base.cassandra(), base.localDatacenter(), base.keyspace(),
        base.reportDirectory().resolve("steps").resolve("warm-up"), base.workDirectory(), base.maxInFlightPerDevice(),
        base.connectTimeout(), base.drainTimeout(), base.settleTimeout(), base.printProgress());
    return Optional.of(Scenarios.steady(settings, plan.mix(), progress, ReportExtras.NONE));
  }

  private static String saturationLine(RampResult ramp) {
    if (ramp.saturationRate().isEmpty()) {
      return "ramp: no step passed, the first already failed: " + ramp.steps().get(0).failures();
    }
    RampStep last = ramp.steps().get(ramp.steps().size() - 1);
    return String.format(Locale.ROOT, "ramp: saturation rate %.1f frames/s%s", ramp.saturationRate().getAsDouble(),
        ramp.saturated() ? " (step " + last.number() + " failed: " + String.join("; ", last.failures()) + ")"
            : " (no step failed: a lower bound)");
  }

  static ScenarioSettings stepSettings(ScenarioSettings base, int number, double rate) {
    Duration drain = base.duration();
    if (drain.compareTo(MIN_STEP_DRAIN) < 0) {
      drain = MIN_STEP_DRAIN;
    }
    if (drain.compareTo(MAX_STEP_DRAIN) > 0) {
      drain = MAX_STEP_DRAIN;
    }
    Path directory = base.reportDirectory().resolve("steps").resolve("step-" + number);
    return new ScenarioSettings("ramp-step-" + number, base.url(), base.jwtSecret(), base.devices(), rate,
        base.duration(), base.cassandra(), base.localDatacenter(), base.keyspace(), directory, base.workDirectory(),
        base.maxInFlightPerDevice(), base.connectTimeout(), drain, base.settleTimeout(), base.printProgress());
  }
}
