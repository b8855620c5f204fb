package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands as an operator runs them, a herald process each, against a real node: status, dead letters
 * listed and replayed, a refused token, the degradation switch, and a drain that makes the node leave and stop.
 */
@ExtendWith(InfraExtension.class)
class OperatorCommandsTest {

  private static final String ADMIN_TOKEN_VARIABLE = "HERALD_ADMIN_TOKEN";

  /** A finished herald process. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out ---\n" + out + "--- err ---\n" + err;
    }
  }

  @Test
  void statusDeadLettersDegradationAndDrainAgainstARunningNode(Kafka kafka, Cassandra cassandra, @TempDir Path dir) throws Exception {
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var url = node.managementUri().replaceAll("/$", "");
      var self = Cluster.get(node.system()).selfMember().address().toString();
      var tokenFile = Files.writeString(dir.resolve("admin-token"), TestNodes.ADMIN_TOKEN + "\n");
      var wrongTokenFile = Files.writeString(dir.resolve("wrong-token"), "not-the-admin-token\n");

      var status = herald(dir, Map.of(), "status", "--management-url", url);
      assertEquals(0, status.exit(), status.toString());
      assertTrue(status.out().contains("member " + self + " Up"), status.toString());
      assertTrue(status.out().contains("User shards per region:"), status.toString());
      assertTrue(status.out().contains("herald_gateway_degradation_mode{mode=\"normal\"} 1.0"), status.toString());

      var refused = herald(dir, Map.of(), "dead-letters", "list", "--management-url", url,
          "--admin-token-file", wrongTokenFile.toString());
      assertEquals(1, refused.exit(), refused.toString());
      assertTrue(refused.err().startsWith("herald dead-letters list: the node at " + url
          + " refused the admin token (401)"), refused.toString());
      assertEquals(1, refused.err().strip().lines().count(), refused.toString());

      var poisonKey = "poison-" + UUID.randomUUID();
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
          new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("herald.ingress", poisonKey, "garbage".getBytes(StandardCharsets.UTF_8))).get();
      }
      // The token from the environment; the file option points nowhere, so only the variable can have authorised it.
      var fromEnvironment = Map.of(ADMIN_TOKEN_VARIABLE, TestNodes.ADMIN_TOKEN);
      var listLetters = List.of("dead-letters", "list", "--management-url", url,
          "--admin-token-file", dir.resolve("absent").toString());
      var listed = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
          .until(() -> herald(dir, fromEnvironment, listLetters.toArray(String[]::new)),
              run -> run.exit() == 0 && entries(run, poisonKey).size() == 1);
      var entry = entries(listed, poisonKey).get(0);
      assertTrue(entry.group(3).contains("undecodable"), listed.toString());

      var replayed = herald(dir, Map.of(), "dead-letters", "replay", "--partition", entry.group(1), "--offset",
          entry.group(2), "--management-url", url, "--admin-token-file", tokenFile.toString());
      assertEquals(0, replayed.exit(), replayed.toString());
      assertEquals("Replayed 1 dead letter(s) to herald.ingress.", replayed.out().strip());
      // Replayed into herald.ingress, still poison: it comes back a second time.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
          .until(() -> entries(herald(dir, fromEnvironment, listLetters.toArray(String[]::new)), poisonKey).size() == 2);

      var readOnly = herald(dir, fromEnvironment, "degradation", "--set", "read-only", "--reason", "a test, with spaces",
          "--management-url", url);
      assertEquals("Degradation mode: read-only", readOnly.out().strip(), readOnly.toString());
      var normal = herald(dir, Map.of(), "degradation", "--set", "normal", "--management-url", url,
          "--admin-token-file", tokenFile.toString());
      assertEquals("Degradation mode: normal", normal.out().strip(), normal.toString());

      var drained = herald(dir, Map.of(), "drain", "--management-url", url, "--admin-token-file", tokenFile.toString());
      assertEquals(0, drained.exit(), drained.toString());
      assertTrue(drained.out().contains("Node " + self + " is leaving the cluster"), drained.toString());
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);

      var gone = herald(dir, Map.of(), "status", "--management-url", url);
      assertEquals(1, gone.exit(), gone.toString());
      assertTrue(gone.err().startsWith("herald status: no node answers at " + url), gone.toString());
    }
  }

  /** The listed dead letters with this key: groups partition, offset, the rest of the line. */
  private static List<java.util.regex.MatchResult> entries(Run run, String key) {
    var line = Pattern.compile("partition (\\d+) offset (\\d+) key " + Pattern.quote(key) + " (.*)");
    return run.out().lines().map(line::matcher).filter(java.util.regex.Matcher::find)
        .map(java.util.regex.Matcher::toMatchResult).toList();
  }

  /** bin/herald's JVM (target/classes and the runtime classpath), with the given environment on top of this one's. */
  static Run herald(Path dir, Map<String, String> environment, String... args) throws Exception {
    var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
            + Files.readString(Path.of("target", "herald.classpath")).trim(),
        "io.herald.node.cli.Herald"));
    command.addAll(List.of(args));
    var out = Files.createTempFile(dir, "out", ".txt");
    var err = Files.createTempFile(dir, "err", ".txt");
    var builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove(ADMIN_TOKEN_VARIABLE);
    builder.environment().putAll(environment);
    var process = builder.start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("herald " + String.join(" ", args) + " did not finish within 90 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
