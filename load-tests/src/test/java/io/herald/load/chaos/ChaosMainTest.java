package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chaos command line without a cluster: the list, usage errors, the exit codes that need no run. */
class ChaosMainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void listNamesEveryScenario() {
    assertEquals(ChaosMain.HELD, run("--list"));
    String listed = out.toString(StandardCharsets.UTF_8);
    for (String name : List.of("node-kill", "broker-kill", "cassandra-stop", "cassandra-kill", "node-freeze",
        "node-partition", "rolling-restart", "poison-records", "solr-kill")) {
      assertTrue(listed.contains(name), name + " missing from " + listed);
    }
  }

  @Test
  void helpIsTheUsageOnStandardOutput() {
    assertEquals(ChaosMain.HELD, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--repeat"), out.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void usageErrorsCouldNotRun() {
    assertEquals(ChaosMain.COULD_NOT_RUN, run("no-such-fault", "--report", "target/x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown scenario"));
    assertEquals(ChaosMain.COULD_NOT_RUN, run("node-kill"));
    assertEquals(ChaosMain.COULD_NOT_RUN, run("node-kill", "--report", "target/x", "--fault-at", "50s",
        "--duration", "10s"));
    assertEquals(ChaosMain.COULD_NOT_RUN, run("node-freeze", "--report", "target/x", "--repeat", "0"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--repeat must be at least 1"));
    assertEquals(5, ChaosMain.parse(List.of("all", "--report", "target/x", "--repeat", "5")).repeat());
    // No node classpath: refused before anything starts.
    assertEquals(ChaosMain.COULD_NOT_RUN, run("node-kill", "--report", "target/x", "--node-classpath", " "));
  }

  @Test
  void onlyAScenarioThatNeedsSearchStartsSolr() {
    assertFalse(ChaosMain.parse(List.of("node-kill", "--report", "target/x", "--node-classpath", "cp")).cluster()
        .search(), "no Solr for the write path's faults");
    assertTrue(ChaosMain.parse(List.of("solr-kill", "--report", "target/x", "--node-classpath", "cp")).cluster()
        .search());
    assertTrue(ChaosMain.parse(List.of("all", "--report", "target/x", "--node-classpath", "cp")).cluster().search());
    var solrKill = ChaosMain.parse(List.of("solr-kill", "--report", "target/x", "--catch-up", "90s")).faults().get(0);
    assertTrue(solrKill.mix().hasChat(), "chat beside telemetry: " + solrKill.mix().describe());
    assertEquals(java.time.Duration.ofSeconds(90), ChaosMain.parse(List.of("solr-kill", "--report", "target/x",
        "--catch-up", "90s")).chaos().timings().searchCatchUp());
    assertEquals(ChaosMain.COULD_NOT_RUN, run("solr-kill", "--report", "target/x", "--catch-up", "soon"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--catch-up"), err.toString(StandardCharsets.UTF_8));
  }

  private int run(String... args) {
    return ChaosMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
