package io.herald.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's manners: help, version, and a clear exit code and message for each kind of mistake. */
class HeraldCommandLineTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Herald.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void helpListsEveryCommandIncludingLoadAndChaos() {
    assertEquals(0, run("--help"));
    for (var command : new String[] {"up", "node", "schema", "token", "cluster", "status", "stop", "kill", "freeze",
        "thaw", "load", "chaos"}) {
      assertTrue(out.toString().contains("  " + command + " "), command + " is missing from:\n" + out);
    }
  }

  @Test
  void aCommandsHelpIsItsUsageNotAnError() {
    assertEquals(0, run("up", "--help"));
    assertTrue(out.toString().contains("--http-port"), out.toString());
    assertEquals("", err.toString());
  }

  @Test
  void anUnknownOptionIsRefusedWithASuggestionInsteadOfIgnored() {
    assertEquals(2, run("up", "--htp-port", "81"));
    assertTrue(err.toString().contains("Unknown options: '--htp-port'"), err.toString());
    assertTrue(err.toString().contains("Possible solutions: --http-port"), err.toString());
  }

  @Test
  void aMalformedValueIsAUsageMistake() {
    assertEquals(2, run("up", "--http-port", "eighty"));
    assertTrue(err.toString().contains("--http-port"), err.toString());
  }

  @Test
  void noCommandAndAnUnknownCommandAreUsageMistakes() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("a command is required"), err.toString());
    assertEquals(2, run("upp"));
    assertTrue(err.toString().contains("Unmatched argument"), err.toString());
  }

  @Test
  void aMissingRequiredOptionIsNamed() {
    assertEquals(2, run("token", "--user", "alice"));
    assertTrue(err.toString().contains("--device"), err.toString());
  }

  @Test
  void aFailingCommandSaysWhyInOneLineWithoutAStackTrace(@TempDir Path dir) {
    assertEquals(1, run("status", "--data-dir", dir.toString()));
    assertEquals("herald status: no cluster described in " + dir.resolve("cluster.json")
        + ": start one with bin/herald cluster", err.toString().strip());
  }

  @Test
  void theVersionIsTheBuilds() {
    assertEquals(0, run("--version"));
    assertTrue(out.toString().matches("herald \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\s*"), out.toString());
  }
}
