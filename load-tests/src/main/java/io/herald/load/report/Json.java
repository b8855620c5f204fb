package io.herald.load.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reports' JSON, written by Jackson's streaming generator in the order the report states its fields (stable,
 * so runs diff well): objects, strings, numbers, arrays of objects, indented by two spaces, {@code "key": value}.
 * Numbers are rounded as {@link #number} says, so a figure reads the same in summary.json and on the page.
 */
final class Json {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withObjectEmptySeparator("")
          .withArrayEmptySeparator(""))
      .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
      .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));

  private final StringWriter out = new StringWriter();
  private final JsonGenerator generator;

  Json() {
    try {
      // A printer keeps its nesting depth: each document gets its own instance.
      generator = FACTORY.createGenerator(out).setPrettyPrinter(PRETTY.createInstance());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the top-level object. */
  Json begin() {
    return write(() -> generator.writeStartObject());
  }

  /** Ends the innermost object. */
  Json end() {
    return write(() -> generator.writeEndObject());
  }

  Json field(String name, String value) {
    return write(() -> generator.writeStringField(name, value));
  }

  Json field(String name, long value) {
    return write(() -> generator.writeNumberField(name, value));
  }

  Json field(String name, double value) {
    return write(() -> {
      generator.writeFieldName(name);
      writeNumber(value);
    });
  }

  Json field(String name, boolean value) {
    return write(() -> generator.writeBooleanField(name, value));
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
    return write(() -> {
      generator.writeFieldName(name);
      if (value == null) {
        generator.writeNull();
      } else {
        writeNumber(value);
      }
    });
  }

  /** Counts by name, in name order. */
  Json field(String name, Map<String, Long> counts) {
    object(name);
    new TreeMap<>(counts).forEach(this::field);
    return end();
  }

  /** Strings by name, in the map's order. */
  Json strings(String name, Map<String, String> values) {
    object(name);
    values.forEach(this::field);
    return end();
  }

  Json object(String name) {
    return write(() -> generator.writeObjectFieldStart(name));
  }

  Json array(String name) {
    return write(() -> generator.writeArrayFieldStart(name));
  }

  /** An array of numbers. */
  Json numbers(String name, double[] values) {
    return write(() -> {
      generator.writeArrayFieldStart(name);
      for (double value : values) {
        writeNumber(value);
      }
      generator.writeEndArray();
    });
  }

  Json endArray() {
    return write(() -> generator.writeEndArray());
  }

  /** Starts an object as the next element of the current array. */
  Json element() {
    return write(() -> generator.writeStartObject());
  }

  /** The document, ended by a line feed; call once, after the top-level object ended. */
  @Override
  public String toString() {
    write(() -> generator.flush());
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

  private void writeNumber(double value) throws IOException {
    String number = number(value);
    if (number.equals("null")) {
      generator.writeNull();
    } else {
      // Already a valid JSON number, rounded as the page shows it.
      generator.writeNumber(number);
    }
  }

  private Json write(Step step) {
    try {
      step.run();
    } catch (IOException e) {
      // A StringWriter does not fail; a misuse (a field outside an object) does, and says so.
      throw new UncheckedIOException(e);
    }
    return this;
  }

  @FunctionalInterface
  private interface Step {
    void run() throws IOException;
  }
}
