package io.herald.load.report;

import java.util.List;
import java.util.Locale;

/** An inline SVG of a ramp: p50 and p99 per step against the offered rate, with the p99 bound as a dashed line. */
final class StepChart {

  private static final int WIDTH = 720;
  private static final int HEIGHT = 240;
  private static final int LEFT = 60;
  private static final int TOP = 20;
  private static final int BOTTOM = 30;

  private StepChart() {}

  static String svg(List<StepRow> steps, double boundMs) {
    int plotWidth = WIDTH - LEFT - 20;
    int plotHeight = HEIGHT - BOTTOM - TOP;
    double maxMs = Math.max(boundMs, steps.stream().mapToDouble(s -> s.latencyMs().p99()).max().orElse(0)) * 1.1;
    double maxRate = Math.max(1e-9, steps.stream().mapToDouble(StepRow::rateTarget).max().orElse(0));
    var svg = ChartFrame.open(WIDTH, HEIGHT, "latency per ramp step", LEFT, TOP, plotWidth, plotHeight);
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s ms</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s /s offered</text>\n",
        LEFT - 5, TOP + 5, Json.number(Math.round(maxMs)), LEFT - 5, TOP + plotHeight,
        LEFT + plotWidth, HEIGHT - 8, Json.number(maxRate)));
    double boundY = TOP + plotHeight * (1 - boundMs / maxMs);
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\" "
        + "stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">bound</text>\n",
        LEFT, boundY, LEFT + plotWidth, boundY, LEFT + plotWidth, boundY - 3));
    svg.append(line(steps, true, "#c62828", plotWidth, plotHeight, maxMs, maxRate));
    svg.append(line(steps, false, "#1565c0", plotWidth, plotHeight, maxMs, maxRate));
    return svg.append("</svg>\n<p>red: p99, blue: p50</p>\n").toString();
  }

  private static String line(List<StepRow> steps, boolean p99, String colour, int plotWidth, int plotHeight,
      double maxMs, double maxRate) {
    var points = new StringBuilder();
    var dots = new StringBuilder();
    for (StepRow step : steps) {
      double ms = p99 ? step.latencyMs().p99() : step.latencyMs().p50();
      double x = LEFT + plotWidth * step.rateTarget() / maxRate;
      double y = TOP + plotHeight * (1 - Math.min(ms, maxMs) / maxMs);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, y, colour));
    }
    return "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\""
        + points.toString().strip() + "\"/>" + dots + "\n";
  }
}
