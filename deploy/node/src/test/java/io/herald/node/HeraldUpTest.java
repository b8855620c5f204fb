package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herald up as a user runs it: starts Kafka, Cassandra and a node, says where its generated secrets are without
 * showing them; Ctrl-C stops the node first, while Kafka and Cassandra still answer, then them, and leaves no process
 * behind.
 */
class HeraldUpTest {

  @Test
  void ctrlCOnHeraldUpStopsTheNodeBeforeKafkaAndCassandraAndLeavesNothingBehind(@TempDir Path dataDir)
      throws Exception {
    abortWhenSigintIsIgnored();
    var command = new ArrayList<>(List.of(
        // A process group of its own, as a shell gives a foreground command: Ctrl-C signals the whole group.
        "setsid",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // bin/herald's classpath (target/classes + the runtime dependencies), not the test classpath: what a user runs.
        "-cp", Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
            + Files.readString(Path.of("target", "herald.classpath")).trim(),
        "io.herald.node.cli.Herald", "up",
        "--data-dir", dataDir.toString(),
        "--kafka-port", String.valueOf(FreePorts.pick()),
        "--cassandra-port", String.valueOf(FreePorts.pick()),
        "--solr-port", String.valueOf(FreePorts.pick()),
        "--solr-zk-port", String.valueOf(FreePorts.pick()),
        "--http-port", String.valueOf(FreePorts.pick()),
        "--coap-port", String.valueOf(FreePorts.pick()),
        "--management-port", String.valueOf(FreePorts.pick()),
        "--remote-port", String.valueOf(FreePorts.pick())));
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Here only the warm-up's place matters (before "Herald is up."); WarmUpTest checks its traffic. 2 s of it instead
    // of the default 10 s (herald.node.warm-up.duration) spare the suite 8 s of 1,500 frames/s on 2 cores.
    builder.environment().put("HERALD_WARM_UP_DURATION", "2s");
    var up = builder.start();
    var output = new CopyOnWriteArrayList<String>();
    var reader = new Thread(() -> {
      try (var lines = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    try {
      try {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
            .failFast("herald up exited", () -> !up.isAlive())
            .until(() -> output.contains("Herald is up."));
      } catch (RuntimeException notUp) {
        throw new AssertionError("herald up did not come up; its output:\n" + String.join("\n", output), notUp);
      }
      var children = up.descendants().toList();
      assertTrue(children.size() >= 3, "expected Kafka, Cassandra and Solr child processes, got " + children);
      assertTrue(Files.exists(dataDir.resolve("jwt-secret")), "a secret is generated when none is configured");
      // Secrets go to owner-only files; the terminal shows where they are, never what they are.
      for (var secretFile : List.of(dataDir.resolve("jwt-secret"), dataDir.resolve("admin-token"))) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
        var secret = Files.readString(secretFile).trim();
        assertTrue(output.stream().noneMatch(line -> line.contains(secret)), secretFile.getFileName()
            + "'s value is in herald up's output:\n" + String.join("\n", output));
        assertTrue(output.stream().anyMatch(line -> line.contains(secretFile.toString())),
            "herald up says where " + secretFile.getFileName() + " is:\n" + String.join("\n", output));
      }
      // "Warm-up done" or, on a machine too crowded to finish it within its bound, "Warm-up incomplete".
      int warmedUp = Math.max(indexOf(output, "Warm-up done"), indexOf(output, "Warm-up incomplete"));
      assertTrue(warmedUp >= 0 && warmedUp < indexOf(output, "Herald is up."),
          "herald up warms the node up before it says it is up:\n" + String.join("\n", output));

      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
      new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).start().waitFor();

      await().atMost(Duration.ofMinutes(2)).until(() -> !up.isAlive());
      reader.join(Duration.ofSeconds(10).toMillis());
      var stopping = output.indexOf("Stopping Herald...");
      assertTrue(stopping >= 0, "herald up said nothing about stopping:\n" + String.join("\n", output));
      var failures = output.subList(stopping, output.size()).stream()
          .filter(line -> CONNECTION_FAILURE.matcher(line).find()).toList();
      assertEquals(List.of(), failures, "the node lost Kafka or Cassandra while it stopped");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          children.forEach(child -> assertFalse(child.isAlive(), "still running: " + child.info())));
    } finally {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }
  }

  /** What the Kafka client and the Cassandra driver log when their server went away under them. */
  private static final Pattern CONNECTION_FAILURE = Pattern.compile(
      "could not be established|Bootstrap broker .* disconnected|Error while opening new channel"
          + "|NoNodeAvailableException|Commit on revoke .* failed");

  /**
   * A process inherits an ignored SIGINT, and the JVM then keeps ignoring it: a build started in the background of a
   * shell without job control (`(mvn verify &)`) would hand that to the herald up it starts, which could not be
   * stopped with Ctrl-C, and the test would fail for its environment's sake. It aborts instead, saying so.
   */
  private static void abortWhenSigintIsIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:") && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0) {
        Assumptions.abort("SIGINT is ignored by this JVM (started in the background without job control), and so "
            + "would be by the herald up it starts: Ctrl-C cannot be tested here; run the build in the foreground");
      }
    }
  }

  /** The index of the first line containing {@code fragment}, or -1. */
  private static int indexOf(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    return -1;
  }
}
