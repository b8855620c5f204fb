package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md's table of environment variables is the code's: every HERALD_* or OTEL_* variable that a
 * module's main sources, configuration or bin/herald read is in the table, and the table names nothing else.
 */
class EnvironmentVariablesTest {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Pattern VARIABLE = Pattern.compile("\\b((?:HERALD|OTEL)_[A-Z][A-Z0-9_]*[A-Z0-9])\\b");
  private static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| `((?:HERALD|OTEL)_[A-Z0-9_]+)` \\|");

  @Test
  void theOperationsTableListsExactlyTheVariablesTheCodeReads() throws IOException {
    assertTrue(Files.isRegularFile(ROOT.resolve("bin/herald")), "not run from deploy/node of the repository: " + ROOT);
    var read = new TreeSet<String>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(EnvironmentVariablesTest::isShippedSourceOrConfig).forEach(file -> read.addAll(variables(file)));
    }
    read.addAll(variables(ROOT.resolve("bin/herald")));
    assertTrue(read.contains("HERALD_JWT_SECRET"), "the scan found the variables of reference.conf: " + read);

    var operations = Files.readString(ROOT.resolve("docs/operations.md"));
    var section = operations.substring(operations.indexOf("## Environment variables"));
    section = section.substring(0, section.indexOf("\n## ", 3));
    var documented = TABLE_ROW.matcher(section).results().map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));

    var undocumented = new TreeSet<>(read);
    undocumented.removeAll(documented);
    var unread = new TreeSet<>(documented);
    unread.removeAll(read);
    assertEquals(Set.of(), undocumented, "read by the code, missing from docs/operations.md's table");
    assertEquals(Set.of(), unread, "in docs/operations.md's table, read by nothing");
  }

  /** Main sources and resources of every module (not tests, not build output, not node_modules). */
  private static boolean isShippedSourceOrConfig(Path file) {
    var path = ROOT.relativize(file).toString().replace('\\', '/');
    return path.contains("/src/main/") && !path.contains("/target/") && !path.contains("node_modules")
        && (path.endsWith(".java") || path.endsWith(".conf") || path.endsWith(".xml"));
  }

  private static Set<String> variables(Path file) {
    try {
      return VARIABLE.matcher(Files.readString(file)).results().map(m -> m.group(1))
          // A prefix in prose ("HERALD_*") is not a variable.
          .filter(name -> !name.endsWith("_"))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
