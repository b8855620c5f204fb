package io.herald.load.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Just enough JSON writing for the summary: objects, strings, numbers, arrays of objects, with stable key order. */
final class Json {

  private final StringBuilder out = new StringBuilder();
  private int depth;
  private boolean first = true;

  Json begin() {
    out.append('{');
    depth++;
    first = true;
    return this;
  }

  Json end() {
    depth--;
    newline();
    out.append('}');
    first = false;
    return this;
  }

  Json field(String name, String value) {
    key(name);
    string(value);
    return this;
  }

  Json field(String name, long value) {
    key(name);
    out.append(value);
    return this;
  }

  Json field(String name, double value) {
    key(name);
    out.append(number(value));
    return this;
  }

  Json field(String name, boolean value) {
    key(name);
    out.append(value);
    return this;
  }

  /** Latency percentiles as an object of p50, p99, p999 and max. */
  Json field(String name, LatencyMs latency) {
    return object(name)
        .field("p50", latency.p50())
        .field("p99", latency.p99())
        .field("p999", latency.p999())
        .field("max", latency.max())
        .end();
  }

  /** A number, or {@code null} when there is none (not measured). */
  Json nullableNumber(String name, Double value) {
    key(name);
    out.append(value == null ? "null" : number(value));
    return this;
  }

  Json field(String name, Map<String, Long> counts) {
    key(name);
    begin();
    new TreeMap<>(counts).forEach(this::field);
    return end();
  }

  Json object(String name) {
    key(name);
    return begin();
  }

  Json array(String name) {
    key(name);
    out.append('[');
    depth++;
    first = true;
    return this;
  }

  Json endArray() {
    depth--;
    newline();
    out.append(']');
    first = false;
    return this;
  }

  /** Starts an object as the next element of the current array. */
  Json element() {
    comma();
    return begin();
  }

  @Override
  public String toString() {
    return out.append('\n').toString();
  }

  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "null";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    // 10.0004 rounds to "10.000": without its zeros and its point, not "10." (which is not JSON).
    return String.format(Locale.ROOT, "%.3f", value).replaceAll("\\.?0+$", "");
  }

  private void key(String name) {
    comma();
    string(name);
    out.append(": ");
  }

  private void comma() {
    if (!first) {
      out.append(',');
    }
    first = false;
    newline();
  }

  private void newline() {
    out.append('\n').append("  ".repeat(Math.max(0, depth)));
  }

  private void string(String value) {
    out.append('"');
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
