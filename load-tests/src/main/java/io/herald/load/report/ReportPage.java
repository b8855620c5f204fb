package io.herald.load.report;

/** The parts of {@code report.html} every page shares: the head and its style, a table row, escaping. */
final class ReportPage {

  private ReportPage() {}

  static String head(String scenario) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Herald load: " + escape(scenario)
        + "</title>\n<style>"
        + "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}th{text-align:left;background:#f4f4f4}"
        + ".bad{color:#b00;font-weight:bold}.good{color:#070}svg{background:#fafafa;border:1px solid #ddd}"
        + "</style></head><body>\n<h1>Herald load run: " + escape(scenario) + "</h1>\n";
  }

  static void row(StringBuilder page, String name, String value) {
    page.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n");
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
