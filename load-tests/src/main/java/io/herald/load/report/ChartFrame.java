package io.herald.load.report;

import java.util.Locale;

/** What every chart of a report starts with: the SVG element and its two axes around the plot area. */
final class ChartFrame {

  private ChartFrame() {}

  /** The opened SVG with the y axis at {@code left} from {@code top} down and the x axis along the plot's bottom. */
  static StringBuilder open(int width, int height, String label, int left, int top, int plotWidth, int plotHeight) {
    var svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "role=\"img\" aria-label=\"%s\">\n", width, height, label));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
        left, top, left, top + plotHeight, left, top + plotHeight, left + plotWidth, top + plotHeight));
    return svg;
  }
}
