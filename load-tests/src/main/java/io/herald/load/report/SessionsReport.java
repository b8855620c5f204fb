package io.herald.load.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** {@code summary.json} and {@code report.html} of a {@code sessions} run. */
public final class SessionsReport {

  private SessionsReport() {}

  public static void write(Path directory, SessionsSummary summary) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(ReportWriter.SUMMARY), json(summary));
    Files.writeString(directory.resolve(ReportWriter.HTML), html(summary));
  }

  static String json(SessionsSummary s) {
    var json = new Json().begin()
        .field("scenario", "sessions")
        .field("held", s.held())
        .field("sessions_target", s.sessionsTarget())
        .field("processes", s.processes())
        .field("connect_rate_target", s.connectRateTarget())
        .field("opened", s.opened())
        .field("failed", s.failed())
        .field("closed_while_held", s.closedWhileHeld())
        .field("closed_after_hold", s.closedAfterHold())
        .field("connect_s", s.connectSeconds())
        .field("connect_rate_per_s", s.connectRatePerSecond())
        .field("connect_latency_ms", s.connectLatency())
        .field("held_s", s.heldSeconds())
        .field("heartbeat_interval_s", s.heartbeatIntervalSeconds())
        .field("heartbeats_sent", s.heartbeatsSent())
        .field("heartbeats_acked", s.heartbeatsAcked())
        .field("heartbeats_nacked", s.heartbeatsNacked())
        .field("pushes", s.pushes())
        .object("traffic")
        .field("sample_sessions", s.sample())
        .field("rate_target", s.trafficRateTarget())
        .field("duration_s", s.trafficSeconds())
        .field("sent", s.trafficSent())
        .field("acked", s.trafficAcked())
        .field("nacked", s.trafficNacked())
        .field("latency_ms", s.trafficLatency())
        .end();
    s.node().ifPresentOrElse(n -> json.object("node")
        .field("heap_after_gc_before_bytes", n.heapBefore())
        .field("heap_after_gc_held_bytes", n.heapHeld())
        .field("rss_before_bytes", n.residentBefore())
        .field("rss_held_bytes", n.residentHeld())
        .field("open_sessions", n.openSessions())
        .field("heap_per_session_bytes", n.heapPerSession())
        .field("rss_per_session_bytes", n.residentPerSession())
        .field("connect_cpu_s", n.connectCpuSeconds())
        .field("cpu_per_connect_ms", s.cpuPerConnectMs())
        .field("hold_cpu_s", n.holdCpuSeconds())
        .field("hold_cpu_measured_s", n.steadySeconds())
        .field("hold_cpu_cores", s.holdCpuShare())
        .end(), () -> json.nullableNumber("node", null));
    json.field("load_average_before", s.loadAverageBefore())
        .field("load_average_after", s.loadAverageAfter())
        .array("timeline");
    for (SessionsSummary.Second second : s.timeline()) {
      json.element()
          .field("second", second.second())
          .field("open", second.open())
          .field("opened", second.opened())
          .field("failed", second.failed())
          .field("closed", second.closed())
          .field("heartbeats_acked", second.heartbeatsAcked())
          .field("traffic_acked", second.trafficAcked())
          .end();
    }
    return json.endArray().end().toString();
  }

  static String html(SessionsSummary s) {
    var page = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Herald sessions run"
        + "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>\n");
    page.append("<h1>sessions: ").append(s.held() ? "held" : "NOT held").append("</h1>\n<table>\n");
    row(page, "sessions opened / target", s.opened() + " / " + s.sessionsTarget() + " over " + s.processes()
        + " client processes");
    row(page, "failed to open", Long.toString(s.failed()));
    row(page, "closed by the server while held / after", s.closedWhileHeld() + " / " + s.closedAfterHold());
    row(page, "connect phase", Json.number(s.connectSeconds()) + " s, " + Json.number(s.connectRatePerSecond())
        + " sessions/s (target " + Json.number(s.connectRateTarget()) + "/s)");
    row(page, "connect→welcome p50 / p99 / max", latency(s.connectLatency()));
    row(page, "held", Json.number(s.heldSeconds()) + " s, heartbeat every " + Json.number(s.heartbeatIntervalSeconds())
        + " s: " + s.heartbeatsAcked() + " of " + s.heartbeatsSent() + " acked, " + s.heartbeatsNacked() + " nacked");
    row(page, "pushes received", Long.toString(s.pushes()));
    row(page, "traffic", s.trafficAcked() + " of " + s.trafficSent() + " acked (" + s.trafficNacked() + " nacked) from "
        + s.sample() + " sessions at " + Json.number(s.trafficRateTarget()) + "/s for "
        + Json.number(s.trafficSeconds()) + " s; send→ack p50 / p99 / max " + latency(s.trafficLatency()));
    s.node().ifPresent(n -> {
      row(page, "node memory per idle session", n.heapPerSession() + " B heap after GC, " + n.residentPerSession()
          + " B RSS (" + n.openSessions() + " open; heap " + mib(n.heapBefore()) + " → " + mib(n.heapHeld()) + ", RSS "
          + mib(n.residentBefore()) + " → " + mib(n.residentHeld()) + ")");
      row(page, "node CPU", Json.number(s.cpuPerConnectMs()) + " ms per connect (" + Json.number(n.connectCpuSeconds())
          + " s in the connect phase); " + Json.number(s.holdCpuShare() * 100) + " % of a core in the second half "
          + "of the hold");
    });
    row(page, "load average before → after", s.loadAverageBefore() + " → " + s.loadAverageAfter());
    page.append("</table>\n<h2>Open sessions</h2>\n")
        .append(chart(s.timeline(), SessionsSummary.Second::open, "#1565c0", "open"))
        .append("<h2>Sessions closed by the server, and failed to open (cumulative)</h2>\n")
        .append(chart(s.timeline(), second -> second.closed() + second.failed(), "#c62828", "sessions"))
        .append("</body></html>\n");
    return page.toString();
  }

  private static String latency(LatencyMs latency) {
    return Json.number(latency.p50()) + " / " + Json.number(latency.p99()) + " / " + Json.number(latency.max()) + " ms";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** One value per second as a line, its axes labelled by the extremes. */
  private static String chart(List<SessionsSummary.Second> timeline, ToLongFunction<SessionsSummary.Second> value,
      String colour, String unit) {
    int width = 720;
    int height = 220;
    int left = 70;
    int plotWidth = width - left - 20;
    int plotHeight = height - 50;
    long maxValue = Math.max(1, timeline.stream().mapToLong(value).max().orElse(0));
    int seconds = Math.max(1, timeline.isEmpty() ? 1 : timeline.get(timeline.size() - 1).second());
    var svg = ChartFrame.open(width, height, unit, left, 20, plotWidth, plotHeight).append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"25\" font-size=\"11\" text-anchor=\"end\">%d %s</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\">0 s</text>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%d s</text>\n",
        left - 5, maxValue, unit, left - 5, 20 + plotHeight, left, height - 8, left + plotWidth, height - 8, seconds));
    var points = new StringBuilder();
    for (SessionsSummary.Second second : timeline) {
      double x = left + plotWidth * (double) second.second() / seconds;
      double y = 20 + plotHeight * (1.0 - (double) value.applyAsLong(second) / maxValue);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
        .append(points.toString().strip()).append("\"/>\n</svg>\n").toString();
  }

  private static void row(StringBuilder page, String name, String value) {
    page.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n");
  }
}
