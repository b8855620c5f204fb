package io.herald.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker Compose's variable interpolation of a value, as {@code docker compose config} renders it: {@code $$},
 * {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code ${VAR:?error}},
 * {@code ${VAR?error}} (with ":" an empty variable counts as unset).
 */
final class ComposeInterpolation {

  private static final Pattern VARIABLE = Pattern.compile(
      "\\$(?:(\\$)|([A-Za-z_][A-Za-z0-9_]*)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?})");

  /** A required variable ({@code ?} form) that is missing: compose refuses the file with this message. */
  static final class MissingVariable extends RuntimeException {
    final List<String> variables;

    MissingVariable(List<String> variables, String messages) {
      super(messages);
      this.variables = variables;
    }
  }

  private ComposeInterpolation() {}

  static String render(String value, Map<String, String> environment) {
    var missing = new ArrayList<String>();
    var messages = new StringBuilder();
    Matcher matcher = VARIABLE.matcher(value);
    var out = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group(1) != null) {
        replacement = "$";
      } else {
        var name = matcher.group(2) != null ? matcher.group(2) : matcher.group(3);
        var operator = matcher.group(4);
        var argument = matcher.group(5);
        var set = environment.get(name);
        boolean unset = set == null || (operator != null && operator.startsWith(":") && set.isEmpty());
        if (operator == null) {
          replacement = set == null ? "" : set;
        } else if (operator.endsWith("-")) {
          replacement = unset ? argument : set;
        } else if (unset) {
          missing.add(name);
          messages.append(name).append(": ").append(argument).append('\n');
          replacement = "";
        } else {
          replacement = set;
        }
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    if (!missing.isEmpty()) {
      throw new MissingVariable(missing, messages.toString());
    }
    return out.toString();
  }
}
