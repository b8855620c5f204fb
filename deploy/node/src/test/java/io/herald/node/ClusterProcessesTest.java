package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Herald nodes as separate processes (what bin/herald node runs) on real Kafka and Cassandra: the cluster forms
 * with 3 Up; a node frozen with SIGSTOP past the Split Brain Resolver's stable-after is downed while the others keep
 * acking, and when it wakes it finds itself downed and exits (never a second writer); a graceful leave with the admin
 * token moves its shards; every acked message is applied.
 */
@ExtendWith(InfraExtension.class)
class ClusterProcessesTest {

  private static final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aFrozenNodeIsDownedTheOthersKeepAckingAndALeaveMovesShards(Kafka kafka, Cassandra cassandra,
      @TempDir Path logs) throws Exception {
    TestNodes.withSchema(kafka, cassandra);
    var remote = freePorts(3);
    var management = freePorts(3);
    var httpPorts = freePorts(3);
    var seed = "pekko://herald@127.0.0.1:" + remote.get(0);
    var nodes = new ArrayList<Process>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(startNode(kafka, cassandra, seed, remote.get(i), management.get(i), httpPorts.get(i),
            logs.resolve("node-" + i + ".log")));
      }
      for (int i = 0; i < 3; i++) {
        awaitReady(management.get(i));
      }
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
          .until(() -> upMembers(management.get(0)) == 3);

      var user = "cluster-user-" + UUID.randomUUID();
      var device = "cluster-device-" + UUID.randomUUID();
      var acked = new ArrayList<String>();
      try (var client = DeviceClient.connect(httpPorts.get(0),
          Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10)))) {
        sendAcked(client, acked, 20);

        // Frozen: not dead, not answering. The survivors' SBR downs it; they keep acking meanwhile.
        signal(nodes.get(2), "STOP");
        var downedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          sendAcked(client, acked, 2);
          return members(management.get(0)).size() == 2;
        });
        assertTrue(System.nanoTime() - downedAt > TimeUnit.SECONDS.toNanos(5), "downed only after stable-after");
        signal(nodes.get(2), "CONT");
        assertTrue(nodes.get(2).waitFor(60, TimeUnit.SECONDS), "the downed node exits when it wakes");

        // A graceful leave of the second node, asked with the admin token: its shards move to the first.
        var leave = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management.get(0) + "/cluster/members/"
                + "pekko://herald@127.0.0.1:" + remote.get(1)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")).build();
        assertEquals(200, http.send(leave, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(nodes.get(1).waitFor(90, TimeUnit.SECONDS), "the leaving node stops");
        sendAcked(client, acked, 10);
        assertEquals(1, upMembers(management.get(0)));
      }

      // Every acked telemetry message is applied, once: the shadow's owner reads the device's count over REST.
      try (var session = WalkingSkeletonTest.cql(cassandra)) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
            .until(() -> WalkingSkeletonTest.storedTelemetryIds(session, device).size() >= acked.size());
        var stored = WalkingSkeletonTest.storedTelemetryIds(session, device);
        assertEquals(acked.size(), stored.size(), "applied once each");
        assertEquals(new java.util.HashSet<>(acked), new java.util.HashSet<>(stored));
      }
    } finally {
      for (var node : nodes) {
        if (node.isAlive()) {
          signal(node, "CONT");
          node.destroyForcibly().waitFor();
        }
      }
    }
  }

  private static void sendAcked(DeviceClient client, List<String> acked, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      var id = UUID.randomUUID().toString();
      var reply = client.request(WalkingSkeletonTest.telemetry(id, i));
      assertTrue(reply.hasAck(), "acked while the cluster changes: " + reply);
      acked.add(id);
    }
  }

  private static Process startNode(Kafka kafka, Cassandra cassandra, String seed, int remotePort, int managementPort,
      int httpPort, Path log) throws Exception {
    var classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
        + Files.readString(Path.of("target", "herald.classpath")).trim();
    var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m",
        "-Dherald.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "-Dherald.persistence.cassandra.local-datacenter=" + cassandra.localDatacenter(),
        "-Dherald.auth.jwt-secret=" + TestNodes.JWT_SECRET,
        "-Dherald.admin.token=" + TestNodes.ADMIN_TOKEN,
        "-Dherald.gateway.http.port=" + httpPort,
        "-Dherald.gateway.coap.enabled=false",
        "-Dpekko.remote.artery.canonical.port=" + remotePort,
        "-Dpekko.management.http.port=" + managementPort,
        "-Dpekko.cluster.split-brain-resolver.stable-after=5s",
        "-cp", classpath, "io.herald.node.cli.Herald", "node");
    var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("HERALD_SEED_NODES", seed);
    builder.environment().put("HERALD_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
    return builder.start();
  }

  private static void signal(Process process, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
  }

  private void awaitReady(int managementPort) {
    var ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready")).build();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  private List<JsonNode> members(int managementPort) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/cluster/members"))
        .build(), HttpResponse.BodyHandlers.ofString());
    var members = new ArrayList<JsonNode>();
    json.readTree(response.body()).get("members").forEach(members::add);
    return members;
  }

  private long upMembers(int managementPort) throws Exception {
    return members(managementPort).stream().filter(m -> m.get("status").asText().equals("Up")).count();
  }

  private static List<Integer> freePorts(int count) throws Exception {
    var sockets = new ArrayList<ServerSocket>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (var socket : sockets) {
        socket.close();
      }
    }
  }
}
