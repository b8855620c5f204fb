package io.herald.load.report;

import java.util.List;
import java.util.Locale;

/**
 * An inline SVG of a latency distribution: latency (ms) against percentile, the percentile axis on a log scale of
 * 1/(1-p) so that 90 %, 99 %, 99.9 % … are equally far apart and the tail gets the room it deserves. The 100 % point
 * (the maximum, at infinity on that scale) is drawn at the right edge.
 */
final class PercentileChart {

  private static final int WIDTH = 720;
  private static final int HEIGHT = 240;
  private static final int LEFT = 60;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 30;

  private PercentileChart() {}

  /** The x of a percentile: log10(1/(1-p)); 0 at 0 %, 1 at 90 %, 2 at 99 %. */
  static double nines(double percentile) {
    return Math.log10(1.0 / (1.0 - percentile / 100.0));
  }

  static String svg(List<LatencyDistribution.Point> points) {
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - BOTTOM - TOP;
    // The axis reaches the first whole number of nines past the last finite point, at least 99.9 %.
    double lastFinite = points.stream().filter(p -> p.percentile() < 100).mapToDouble(p -> nines(p.percentile()))
        .max().orElse(0);
    int maxNines = Math.max(3, (int) Math.ceil(lastFinite + 1e-9));
    double maxMs = Math.max(1e-9, points.stream().mapToDouble(LatencyDistribution.Point::latencyMs).max().orElse(0));
    var svg = ChartFrame.open(WIDTH, HEIGHT, "latency by percentile", LEFT, TOP, plotWidth, plotHeight);
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s ms</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
        LEFT - 5, TOP + 5, Json.number(maxMs), LEFT - 5, TOP + plotHeight));
    for (int n = 0; n <= maxNines; n++) {
      double x = LEFT + plotWidth * (double) n / maxNines;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
          + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
          x, TOP, x, TOP + plotHeight, x, HEIGHT - 8, label(n)));
    }
    var line = new StringBuilder();
    for (LatencyDistribution.Point point : points) {
      double position = point.percentile() >= 100 ? maxNines : Math.min(maxNines, nines(point.percentile()));
      double x = LEFT + plotWidth * position / maxNines;
      double y = TOP + plotHeight * (1 - point.latencyMs() / maxMs);
      line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    svg.append("<polyline fill=\"none\" stroke=\"#6a1b9a\" stroke-width=\"2\" points=\"")
        .append(line.toString().strip()).append("\"/>\n");
    return svg.append("</svg>\n").toString();
  }

  /** 0%, 90%, 99%, 99.9% … */
  private static String label(int nines) {
    if (nines == 0) {
      return "0%";
    }
    if (nines <= 2) {
      return nines == 1 ? "90%" : "99%";
    }
    return "99." + "9".repeat(nines - 2) + "%";
  }
}
