package io.herald.load;

import io.herald.load.report.BaselineComparison;
import io.herald.load.report.OverloadReport;
import io.herald.load.report.ReportExtras;
import io.herald.load.report.ReportWriter;
import io.herald.load.report.RunMetadata;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Overload: a steady run at {@code overloadFactor} × the saturation rate (given, or measured by a ramp first in the
 * same run). What it shows: the invariants still hold, the excess is answered (nacks by code, {@code RETRY_LATER}
 * resent by the clients after retry-after), and the latency of the frames that were accepted.
 *
 * <p>Its {@code summary.json} is the overload phase's rate, throughput and latency; counts and the checker's verdicts
 * include the ramp's steps when a ramp ran (their reports are in {@code DIR/steps}).
 */
final class OverloadScenario {

  private OverloadScenario() {}

  static ScenarioResult run(ScenarioPlan plan, PrintStream progress, BaselineComparison baselines)
      throws IOException {
    ScenarioSettings settings = plan.settings();
    var phases = new ArrayList<ScenarioResult>();
    RunMetadata.Started started = RunMetadata.start(plan.settings().described(), Clock.systemUTC());
    ReportExtras extras = ReportExtras.of(baselines);
    double saturation;
    String from;
    if (plan.saturationRate().isPresent()) {
      saturation = plan.saturationRate().getAsDouble();
      from = "given";
      RampScenario.warmUp(plan, saturation, progress).ifPresent(phases::add);
    } else {
      RampScenario.Climbed climbed = RampScenario.climb(plan, progress);
      phases.addAll(climbed.phases());
      extras = extras.withRamp(climbed.report(plan));
      if (climbed.ramp().saturationRate().isEmpty()) {
        // Nothing passed: the overload multiplies the lowest rate tried, which is already past capacity.
        saturation = plan.ramp().rate(1);
        from = "ramp (no step passed; the first step's rate)";
      } else {
        saturation = climbed.ramp().saturationRate().getAsDouble();
        from = "ramp";
      }
    }
    double offered = Math.round(saturation * plan.overloadFactor() * 10) / 10.0;
    if (settings.printProgress()) {
      progress.println(String.format(Locale.ROOT, "overload: %.1f frames/s = %s × saturation %.1f (%s)", offered,
          Double.toString(plan.overloadFactor()), saturation, from));
    }
    ScenarioResult overload = Scenarios.steady(overloadSettings(settings, offered), plan.mix(), progress, ReportExtras.NONE);
    phases.add(overload);
    var summary = CombinedRuns.summary("overload", overload, phases);
    extras = extras.withOverload(new OverloadReport(plan.overloadFactor(), saturation, from, offered))
        .withRun(started.ended());
    ReportWriter.write(settings.reportDirectory(), summary, List.of(), extras);
    return new ScenarioResult(summary, CombinedRuns.check(phases), settings.reportDirectory());
  }

  private static ScenarioSettings overloadSettings(ScenarioSettings base, double offered) {
    return new ScenarioSettings("overload", base.url(), base.jwtSecret(), base.devices(), offered, base.duration(),
        base.cassandra(), base.localDatacenter(), base.keyspace(), base.reportDirectory().resolve("overload"),
        base.workDirectory(), base.maxInFlightPerDevice(), base.connectTimeout(), base.drainTimeout(),
        base.settleTimeout(), base.printProgress());
  }
}
