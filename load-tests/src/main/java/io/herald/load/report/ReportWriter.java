package io.herald.load.report;

import io.herald.load.check.Finding;
import io.herald.load.check.JournalEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code DIR/summary.json} and a self-contained {@code DIR/report.html} (inline SVG, no scripts); for a run with
 * a timeline also {@code DIR/series.csv} (one row per second), and with a latency distribution {@code DIR/latency.hgrm}.
 */
public final class ReportWriter {

  public static final String SUMMARY = "summary.json";
  public static final String HTML = "report.html";
  public static final String SERIES = "series.csv";
  public static final String LATENCY_DISTRIBUTION = "latency.hgrm";

  private ReportWriter() {}

  public static void write(Path directory, RunSummary summary, List<TimelineSample> timeline) throws IOException {
    write(directory, summary, timeline, ReportExtras.NONE);
  }

  /** With a scenario's own sections (baselines and ratios, ramp steps, overload); an empty timeline has no plots. */
  public static void write(Path directory, RunSummary summary, List<TimelineSample> timeline, ReportExtras extras)
      throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(SUMMARY), summaryJson(summary, extras), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve(HTML), html(summary, timeline, extras), StandardCharsets.UTF_8);
    if (!timeline.isEmpty()) {
      Files.writeString(directory.resolve(SERIES), seriesCsv(timeline), StandardCharsets.UTF_8);
    }
    if (extras.latency() != null && !extras.latency().isEmpty()) {
      extras.latency().writeHgrm(directory.resolve(LATENCY_DISTRIBUTION));
    }
  }

  /**
   * One row per second: offered (frames handed to the clients), acked, nacked, send-to-ack p50 and p99 (ms), chat
   * messages pushed to the other members.
   */
  static String seriesCsv(List<TimelineSample> timeline) {
    var csv = new StringBuilder("second,offered,acked,nacked,p50_ms,p99_ms,pushed\n");
    for (TimelineSample sample : timeline) {
      csv.append(sample.second()).append(',').append(sample.sent()).append(',').append(sample.acked()).append(',')
          .append(sample.nacked()).append(',').append(Json.number(sample.p50Ms())).append(',')
          .append(Json.number(sample.p99Ms())).append(',').append(sample.pushed()).append('\n');
    }
    return csv.toString();
  }

  /** The {@code recovery} scenario's summary and page (it runs no invariant check: one device, see its report). */
  public static void write(Path directory, RecoveryReport report) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(SUMMARY), report.json(), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve(HTML), report.html(), StandardCharsets.UTF_8);
  }

  /** The {@code scale} scenario's summary and page. */
  public static void write(Path directory, ScaleReport report) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(SUMMARY), report.json(), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve(HTML), report.html(), StandardCharsets.UTF_8);
  }

  /** The {@code noisy-neighbour} scenario's summary and page (each phase's own are in its directory). */
  public static void write(Path directory, NoisyNeighbourReport report) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(SUMMARY), report.json(), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve(HTML), report.html(), StandardCharsets.UTF_8);
  }

  static String summaryJson(RunSummary s) {
    return summaryJson(s, ReportExtras.NONE);
  }

  static String summaryJson(RunSummary s, ReportExtras extras) {
    var json = new Json().begin()
        .field("scenario", s.scenario())
        .field("rate_target", s.rateTarget())
        .field("duration_s", s.durationS())
        .field("devices", s.devices())
        .field("sent", s.sent())
        .field("acked", s.acked())
        .field("nacked_by_code", s.nackedByCode())
        .field("refused", s.refused())
        .field("gave_up", s.gaveUp())
        .field("abandoned", s.abandoned())
        .field("outbox_full", s.outboxFull())
        .field("client_stopped", s.clientStopped())
        .field("applied", s.applied())
        .field("delivered", s.delivered())
        .field("lost", s.lost())
        .field("duplicates", s.duplicates())
        .field("out_of_order", s.outOfOrder())
        .field("applied_not_acked", s.appliedNotAcked())
        .field("push_gaps", s.pushGaps())
        .field("push_duplicates", s.pushDuplicates())
        .field("throughput_per_s", s.throughputPerS())
        .field("latency_ms", s.latencyMs());
    if (s.nackLatencyMs() != null) {
      json.field("nack_latency_ms", s.nackLatencyMs());
    }
    if (s.pushLatencyMs() != null) {
      json.field("push_latency_ms", s.pushLatencyMs());
    }
    if (s.applyLatencyMs() != null) {
      json.field("apply_latency_ms", s.applyLatencyMs());
    }
    extras.writeJson(json, s.throughputPerS());
    if (extras.fault() != null) {
      faultJson(json, extras.fault());
    }
    if (extras.run() != null) {
      extras.run().writeJson(json);
    }
    json.array("findings");
    for (Finding finding : s.findings()) {
      json.element().field("kind", finding.kind().name().toLowerCase(Locale.ROOT))
          .field("key", finding.key()).field("subject", finding.subject());
      if (!finding.copies().isEmpty()) {
        json.array("copies");
        for (JournalEntry copy : finding.copies()) {
          json.element().field("persistence_id", copy.persistenceId()).field("sequence_nr", copy.sequenceNr())
              .field("writer_uuid", copy.writerUuid()).field("written_at", Instant.ofEpochMilli(copy.writtenAtMs()).toString())
              .end();
        }
        json.endArray();
      }
      json.end();
    }
    return json.endArray().end().toString();
  }

  static String html(RunSummary s, List<TimelineSample> timeline) {
    return html(s, timeline, ReportExtras.NONE);
  }

  /** recovery_s and the fault's markers, evidence and problems (chaos runs only). */
  private static void faultJson(Json json, FaultReport f) {
    json.field("recovery_s", f.recoveryS()).field("fault_at_s", f.faultAtS()).array("fault_markers");
    for (FaultMarker marker : f.markers()) {
      json.element().field("at_s", marker.atS()).field("kind", marker.kind().name().toLowerCase(Locale.ROOT))
          .field("what", marker.what()).end();
    }
    json.endArray().field("fault_evidence", f.evidence()).array("fault_problems");
    for (String problem : f.problems()) {
      json.element().field("what", problem).end();
    }
    json.endArray();
  }

  static String html(RunSummary s, List<TimelineSample> timeline, ReportExtras extras) {
    List<FaultMarker> markers = extras.fault() == null ? List.of() : extras.fault().markers();
    var page = new StringBuilder();
    page.append(ReportPage.head(s.scenario()));
    boolean clean = s.lost() == 0 && s.duplicates() == 0 && s.outOfOrder() == 0;
    page.append("<p class=\"").append(clean ? "good" : "bad").append("\">")
        .append(clean ? "Invariants hold: nothing lost, duplicated or reordered."
            : "Invariants broken: see the counts and findings below.")
        .append("</p>\n<table>\n");
    row(page, "rate target (/s)", Json.number(s.rateTarget()));
    row(page, "duration (s)", Json.number(s.durationS()));
    row(page, "devices", String.valueOf(s.devices()));
    row(page, "sent", String.valueOf(s.sent()));
    row(page, "acked", String.valueOf(s.acked()));
    row(page, "nacked by code", s.nackedByCode().isEmpty() ? "none" : escape(new java.util.TreeMap<>(s.nackedByCode()).toString()));
    row(page, "refused / gave up / abandoned / outbox full / client stopped",
        s.refused() + " / " + s.gaveUp() + " / " + s.abandoned() + " / " + s.outboxFull() + " / " + s.clientStopped());
    row(page, "applied", String.valueOf(s.applied()));
    row(page, "delivered (pushes)", String.valueOf(s.delivered()));
    row(page, "lost", String.valueOf(s.lost()));
    row(page, "duplicates", String.valueOf(s.duplicates()));
    row(page, "out of order", String.valueOf(s.outOfOrder()));
    row(page, "push gaps / duplicates", s.pushGaps() + " / " + s.pushDuplicates());
    row(page, "throughput (acks/s)", Json.number(s.throughputPerS()));
    row(page, "send&rarr;ack p50 / p99 / p99.9 / max (ms)", percentiles(s.latencyMs()));
    if (s.nackLatencyMs() != null) {
      row(page, "attempt&rarr;nack p50 / p99 / p99.9 / max (ms)", percentiles(s.nackLatencyMs()));
    }
    if (s.pushLatencyMs() != null) {
      row(page, "send&rarr;push at other members p50 / p99 / p99.9 / max (ms)", percentiles(s.pushLatencyMs()));
    }
    if (s.applyLatencyMs() != null) {
      row(page, "received&rarr;journaled (applying behind acking) p50 / p99 / p99.9 / max (ms)",
          percentiles(s.applyLatencyMs()));
    }
    if (extras.fault() != null) {
      var f = extras.fault();
      row(page, "fault injected at (s)", Json.number(f.faultAtS()));
      row(page, "recovery_s: until acks resumed at the offered rate", Json.number(f.recoveryS()));
      row(page, "fault evidence", f.evidence().isEmpty() ? "none" : escape(new java.util.TreeMap<>(f.evidence()).toString()));
      row(page, "fault problems", f.problems().isEmpty() ? "none" : escape(String.join("; ", f.problems())));
    }
    page.append("</table>\n");
    page.append(extras.html(s.throughputPerS()));
    if (!timeline.isEmpty()) {
      page.append("<h2>Throughput (acks per second)</h2>\n")
          .append(chart(timeline, TimelineSample::acked, "#1565c0", "acks/s", markers));
      page.append("<h2>Send&rarr;ack p99 per second (ms)</h2>\n")
          .append(chart(timeline, TimelineSample::p99Ms, "#c62828", "ms", markers));
    }
    if (extras.latency() != null && !extras.latency().isEmpty()) {
      page.append("<h2>Send&rarr;ack latency by percentile (ms), ").append(extras.latency().count())
          .append(" acks</h2>\n").append(PercentileChart.svg(extras.latency().points()))
          .append("<p>The percentile axis is logarithmic in 1/(1&minus;p); the right edge is the maximum. The numbers: "
              + "<code>").append(LATENCY_DISTRIBUTION).append("</code>.</p>\n");
    }
    if (extras.run() != null) {
      RunMetadata run = extras.run();
      page.append("<h2>Run</h2>\n<table>\n");
      row(page, "Herald version / commit", escape(String.valueOf(run.heraldVersion())) + " / "
          + escape(String.valueOf(run.heraldCommit())));
      row(page, "JVM", escape(run.jvm()));
      row(page, "CPUs", String.valueOf(run.cpus()));
      row(page, "load average at start / end", run.loadAverageStart() + " / " + run.loadAverageEnd());
      row(page, "started / ended", run.startedAt() + " / " + run.endedAt());
      run.settings().forEach((name, value) -> row(page, escape(name), escape(value)));
      page.append("</table>\n");
    }
    if (!s.findings().isEmpty()) {
      page.append("<h2>Findings (examples)</h2>\n<table><tr><th>kind</th><th>key</th><th>subject</th>"
          + "<th>copies in the journal (sequence_nr, writer, written at)</th></tr>\n");
      for (Finding f : s.findings()) {
        page.append("<tr><td>").append(f.kind()).append("</td><td>").append(escape(f.key())).append("</td><td>")
            .append(escape(f.subject())).append("</td><td>");
        for (JournalEntry copy : f.copies()) {
          page.append(copy.sequenceNr()).append(", ").append(escape(copy.writerUuid())).append(", ")
              .append(Instant.ofEpochMilli(copy.writtenAtMs())).append("<br>");
        }
        page.append("</td></tr>\n");
      }
      page.append("</table>\n");
    }
    return page.append("</body></html>\n").toString();
  }

  /** A line chart of one value per second, with its axes labelled by the extremes. */
  private static String chart(List<TimelineSample> timeline, ToDoubleFunction<TimelineSample> value, String colour,
      String unit, List<FaultMarker> markers) {
    int width = 720;
    int height = 220;
    int left = 60;
    int bottom = 30;
    int plotWidth = width - left - 20;
    int plotHeight = height - bottom - 20;
    double maxValue = Math.max(1e-9, timeline.stream().mapToDouble(value).max().orElse(0));
    int seconds = Math.max(1, timeline.size());
    var svg = ChartFrame.open(width, height, unit + " per second", left, 20, plotWidth, plotHeight);
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"11\" text-anchor=\"end\">%s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\">0 s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%d s</text>\n",
        left - 5, Json.number(maxValue) + " " + unit, left - 5, 20 + plotHeight,
        left, height - 8, left + plotWidth, height - 8, seconds));
    var points = new StringBuilder();
    for (TimelineSample sample : timeline) {
      double x = left + plotWidth * (double) sample.second() / seconds;
      double y = 20 + plotHeight * (1.0 - value.applyAsDouble(sample) / maxValue);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
        .append(points.toString().strip()).append("\"/>\n");
    for (FaultMarker marker : markers) {
      // Dashed verticals: orange where the fault struck, green where the cluster was whole again.
      double x = left + plotWidth * Math.min(1.0, marker.atS() / seconds);
      String markerColour = marker.kind() == FaultMarker.Kind.INJECTED ? "#ef6c00" : "#2e7d32";
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-dasharray=\"4 3\"><title>%s</title></line>"
          + "<text x=\"%.1f\" y=\"16\" font-size=\"10\" fill=\"%s\">%s</text>\n",
          x, x, 20 + plotHeight, markerColour, escape(marker.what()), x + 2, markerColour,
          marker.kind().name().toLowerCase(Locale.ROOT)));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** A latency's cell: p50 / p99 / p99.9 / max, in milliseconds. */
  private static String percentiles(LatencyMs latency) {
    return Json.number(latency.p50()) + " / " + Json.number(latency.p99()) + " / " + Json.number(latency.p999())
        + " / " + Json.number(latency.max());
  }

  private static void row(StringBuilder page, String name, String value) {
    ReportPage.row(page, name, value);
  }

  private static String escape(String text) {
    return ReportPage.escape(text);
  }
}
