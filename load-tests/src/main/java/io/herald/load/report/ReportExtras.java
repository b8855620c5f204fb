package io.herald.load.report;

import io.herald.load.baseline.BaselineResult;
import java.util.Locale;

/**
 * What a scenario reports beyond the fields every run has: the raw baselines and Herald's ratio to them (always
 * written, {@code null} when not measured), a ramp's steps, an overload's multiple, a chaos run's fault.
 *
 * @param baselines never null; {@link BaselineComparison#NOT_MEASURED} without {@code --kafka}
 * @param ramp null unless a ramp ran
 * @param overload null unless this is an overload run
 * @param fault null unless a fault was injected (chaos): recovery_s, markers on the plots, evidence
 * @param run null unless known: the run's metadata (summary.json's {@code run})
 * @param latency null unless known: the send-to-ack distribution (latency.hgrm and its plot)
 */
public record ReportExtras(BaselineComparison baselines, RampReport ramp, OverloadReport overload, FaultReport fault,
    RunMetadata run, LatencyDistribution latency) {

  public static final ReportExtras NONE = new ReportExtras(BaselineComparison.NOT_MEASURED, null, null, null);

  public ReportExtras(BaselineComparison baselines, RampReport ramp, OverloadReport overload, FaultReport fault) {
    this(baselines, ramp, overload, fault, null, null);
  }

  public static ReportExtras of(BaselineComparison baselines) {
    return new ReportExtras(baselines, null, null, null);
  }

  public ReportExtras {
    if (baselines == null) {
      baselines = BaselineComparison.NOT_MEASURED;
    }
  }

  public ReportExtras withRamp(RampReport value) {
    return new ReportExtras(baselines, value, overload, fault, run, latency);
  }

  public ReportExtras withOverload(OverloadReport value) {
    return new ReportExtras(baselines, ramp, value, fault, run, latency);
  }

  public ReportExtras withFault(FaultReport value) {
    return new ReportExtras(baselines, ramp, overload, value, run, latency);
  }

  public ReportExtras withRun(RunMetadata value) {
    return new ReportExtras(baselines, ramp, overload, fault, value, latency);
  }

  public ReportExtras withLatency(LatencyDistribution value) {
    return new ReportExtras(baselines, ramp, overload, fault, run, value);
  }

  /** Fields after the common ones; Herald's rate is the summary's {@code throughput_per_s}. */
  void writeJson(Json json, double heraldPerSecond) {
    json.nullableNumber("ratio_to_raw_kafka", baselines.ratioToRawKafka(heraldPerSecond))
        .nullableNumber("ratio_to_raw_cassandra", baselines.ratioToRawCassandra(heraldPerSecond))
        .object("baselines");
    baseline(json, baselines.rawKafka());
    baseline(json, baselines.rawCassandra());
    json.end();
    if (ramp != null) {
      json.nullableNumber("saturation_rate", ramp.saturationRate())
          .nullableNumber("cpu_ms_per_frame", ramp.cpuMsPerFrameAtSaturation())
          .nullableNumber("jit_cpu_ms_per_frame", ramp.jitCpuMsPerFrameAtSaturation())
          .object("ramp")
          .field("p99_bound_ms", ramp.p99BoundMs())
          .field("keep_up", ramp.keepUp())
          .nullableNumber("saturation_rate", ramp.saturationRate())
          .field("saturated", ramp.saturated())
          .array("steps");
      for (StepRow step : ramp.steps()) {
        json.element().field("step", step.step()).field("rate_target", step.rateTarget())
            .field("throughput_per_s", step.throughputPerS()).field("offered", step.offered())
            .field("acked", step.acked()).field("p50_ms", step.latencyMs().p50())
            .field("p99_ms", step.latencyMs().p99()).field("max_ms", step.latencyMs().max())
            .field("passed", step.passed()).field("failure", step.failure())
            .nullableNumber("cpu_ms_per_frame", step.cpuMsPerFrame())
            .nullableNumber("jit_cpu_ms_per_frame", step.jitCpuMsPerFrame()).end();
      }
      json.endArray().end();
    }
    if (overload != null) {
      json.object("overload")
          .field("overload_factor", overload.overloadFactor())
          .field("saturation_rate", overload.saturationRate())
          .field("saturation_from", overload.saturationFrom())
          .field("offered_rate", overload.offeredRate())
          .end();
    }
  }

  private static void baseline(Json json, BaselineResult result) {
    if (result == null) {
      return;
    }
    json.object(result.name())
        .field("rate_per_s", result.ratePerS())
        .field("operations", result.operations())
        .field("failures", result.failures())
        .field("measured_s", result.measuredS())
        .field("latency_ms", result.latencyMs())
        .end();
  }

  /** Sections of report.html after the main table. */
  String html(double heraldPerSecond) {
    var page = new StringBuilder();
    page.append("<h2>Raw baselines (same run, same infrastructure)</h2>\n");
    if (baselines.rawKafka() == null && baselines.rawCassandra() == null) {
      page.append("<p>Not measured (run with <code>--kafka HOST:PORT</code>).</p>\n");
    } else {
      page.append("<table><tr><th>baseline</th><th>rate (/s)</th><th>p50 (ms)</th><th>p99 (ms)</th>"
          + "<th>failures</th><th>Herald ÷ baseline</th></tr>\n");
      baselineRow(page, baselines.rawKafka(), baselines.ratioToRawKafka(heraldPerSecond));
      baselineRow(page, baselines.rawCassandra(), baselines.ratioToRawCassandra(heraldPerSecond));
      page.append("</table>\n");
    }
    if (ramp != null) {
      page.append("<h2>Ramp to saturation</h2>\n<p>Saturation rate: <b>")
          .append(ramp.saturationRate() == null ? "none (the first step failed)" : Json.number(ramp.saturationRate())
              + " frames/s" + (ramp.saturated() ? "" : " (no step failed: a lower bound)"))
          .append("</b>. A step passes when p99 ≤ ").append(Json.number(ramp.p99BoundMs()))
          .append(" ms, every frame is acked, and acks ≥ ").append(Json.number(ramp.keepUp()))
          .append(" × the offered rate.</p>\n<p>Node CPU per acked frame at saturation: <b>")
          .append(cpuMs(ramp.cpuMsPerFrameAtSaturation(), ramp.saturationRate() == null))
          .append("</b>, of which its JIT compiler <b>")
          .append(cpuMs(ramp.jitCpuMsPerFrameAtSaturation(), ramp.saturationRate() == null))
          .append("</b> (the node process's user + system time from a step's first offer until every acked frame "
              + "was applied, ÷ frames acked; the JIT's share is its compiler threads' part of it, the JVM still "
              + "compiling its hot code).</p>\n<table><tr><th>step</th><th>offered (/s)</th><th>acks (/s)</th>"
              + "<th>p50 (ms)</th><th>p99 (ms)</th><th>node CPU (ms/frame)</th><th>of which JIT</th>"
              + "<th>verdict</th></tr>\n");
      for (StepRow step : ramp.steps()) {
        page.append("<tr><td>").append(step.step()).append("</td><td>").append(Json.number(step.rateTarget()))
            .append("</td><td>").append(Json.number(step.throughputPerS())).append("</td><td>")
            .append(Json.number(step.latencyMs().p50())).append("</td><td>")
            .append(Json.number(step.latencyMs().p99())).append("</td><td>")
            .append(cpuMs(step.cpuMsPerFrame(), false)).append("</td><td>")
            .append(cpuMs(step.jitCpuMsPerFrame(), false)).append("</td><td class=\"")
            .append(step.passed() ? "good\">passed" : "bad\">" + escape(step.failure())).append("</td></tr>\n");
      }
      page.append("</table>\n<h2>Send&rarr;ack p50 and p99 per step (ms), by offered rate</h2>\n")
          .append(StepChart.svg(ramp.steps(), ramp.p99BoundMs()));
    }
    if (overload != null) {
      page.append("<h2>Overload</h2>\n<p>").append(String.format(Locale.ROOT,
          "Offered %s frames/s = %s × the saturation rate %s (%s).", Json.number(overload.offeredRate()),
          Json.number(overload.overloadFactor()), Json.number(overload.saturationRate()),
          escape(overload.saturationFrom()))).append(" Latency above is that of accepted (acked) frames; nacks "
          + "by code are in the table.</p>\n");
    }
    return page.toString();
  }

  /** A CPU figure, or why there is none: never a 0 for a figure that was not measured. */
  private static String cpuMs(Double msPerFrame, boolean noSaturationStep) {
    if (noSaturationStep) {
      return "none (no step passed)";
    }
    return msPerFrame == null ? "not measured (needs --node-pid PID and acked frames)"
        : Json.number(msPerFrame) + " ms";
  }

  private static void baselineRow(StringBuilder page, BaselineResult result, Double ratio) {
    if (result == null) {
      return;
    }
    page.append("<tr><th>").append(result.name()).append("</th><td>").append(Json.number(result.ratePerS()))
        .append("</td><td>").append(Json.number(result.latencyMs().p50())).append("</td><td>")
        .append(Json.number(result.latencyMs().p99())).append("</td><td>").append(result.failures())
        .append("</td><td>").append(ratio == null ? "n/a" : Json.number(ratio)).append("</td></tr>\n");
  }

  private static String escape(String text) {
    return ReportPage.escape(text);
  }
}
