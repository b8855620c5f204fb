package io.herald.load;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Parsing of the command lines' option values ({@code load}, {@code chaos}); the message names the option. */
public final class OptionValues {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  private OptionValues() {}

  /** Whether the command line asks for its usage ({@code --help} or {@code -h}, anywhere in it). */
  public static boolean helpRequested(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }

  /** {@code 500ms}, {@code 10s}, {@code 2m}. */
  public static Duration duration(String text, String name) {
    var matcher = DURATION.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(name + " must look like 500ms, 10s or 2m, got " + text);
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }

  public static int integer(String text, String name) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got " + text);
    }
  }

  public static double decimal(String text, String name) {
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got " + text);
    }
  }
}
