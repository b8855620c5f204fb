package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.infra.nodes.NodeProcesses;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three Herald nodes as separate processes (what bin/herald node runs) on real Kafka and Cassandra: the cluster forms
 * with 3 Up; the node that formed it, restarted while the others are frozen past Pekko's seed-node-timeout, joins the
 * running cluster instead of forming a second one (cluster bootstrap over the nodes' contact points); a node frozen
 * with SIGSTOP past the Split Brain Resolver's stable-after is downed while the others keep acking, and when it wakes
 * it finds itself downed and exits (never a second writer); a graceful leave with the admin token moves its shards;
 * every acked message is applied.
 *
 * <p>The zombie: right before the freeze, 30 devices (one user each) come online, each with an 8 s presence timer, so
 * the frozen node holds Device entities with writes due (an offline event). Once it is downed, each device sends again, so its entity is started again on a survivor. Woken, the
 * frozen node runs its overdue writes before anything tells it that it was downed, at the sequence numbers of its
 * stale state: without a fence, a second writer. The writer fence refuses them (its log says so), and every device's
 * journal has each frame at most once, one writer at a time, no sequence number twice.
 */
@ExtendWith(InfraExtension.class)
class ClusterProcessesTest {

  private static final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aFrozenNodeIsDownedTheOthersKeepAckingAndALeaveMovesShards(Kafka kafka, Cassandra cassandra) throws Exception {
    // The nodes' logs stay for reading after the run.
    var logs = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "ClusterProcessesTest-logs-");
    TestNodes.withSchema(kafka, cassandra);
    var classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
        + Files.readString(Path.of("target", "herald.classpath")).trim();
    try (var cluster = NodeProcesses.start(3, classpath, logs, Map.of(
            "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
            "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
            "herald.auth.jwt-secret", TestNodes.JWT_SECRET,
            "herald.admin.token", TestNodes.ADMIN_TOKEN,
            "pekko.cluster.split-brain-resolver.stable-after", "10s",
            "herald.user.device.presence-timeout", "8s",
            "herald.persistence.fence.stop-after", "5s",
            // The restart below silences two nodes for 6 s: longer than a static seed list waits for an answer (1 s
            // here), well shorter than a pause that fences a node (10 s here, room for a woken node's late first
            // beat; the cluster replaces a silent node after 13 s: 3 s of missed heartbeats and stable-after).
            "pekko.cluster.seed-node-timeout", "1s",
            "herald.persistence.fence.max-pause", "10s",
            "herald.node.warm-up.duration", "0s"),
        Map.of("HERALD_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
            // C1 only, as the chaos harness starts its nodes: three JVMs starting at once on 2 cores spend much less
            // CPU compiling, and this test's light traffic needs no C2 code.
            "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1"))) {
      cluster.awaitReady(Duration.ofMinutes(3));
      var first = cluster.node(0).managementPort();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> upMembers(first) == 3);

      // A restart of node 0 while the others cannot answer for longer than Pekko's seed-node-timeout: with static
      // seed nodes (node 0 first) it formed a second cluster of its own; with cluster bootstrap it waits for them.
      cluster.terminate(0);
      assertTrue(cluster.awaitExit(0, Duration.ofSeconds(90)), "node 0 leaves and stops");
      cluster.freeze(1);
      cluster.freeze(2);
      try {
        cluster.replace(0);
        // The fault's length (node 0's JVM starts within it).
        Thread.sleep(Duration.ofSeconds(6).toMillis());
      } finally {
        cluster.thaw(1);
        cluster.thaw(2);
      }
      cluster.awaitReady(0, Duration.ofMinutes(2));
      var second = cluster.node(1).managementPort();
      // One cluster, seen the same from the restarted node and from the others (a second cluster has 1 member).
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> upMembers(first) == 3 && upMembers(second) == 3 && leader(first).equals(leader(second)));

      var user = "cluster-user-" + UUID.randomUUID();
      var device = "cluster-device-" + UUID.randomUUID();
      var acked = new ArrayList<String>();
      var probes = new java.util.LinkedHashMap<String, WebSocketTestClient>();
      try (var client = WebSocketTestClient.connect(cluster.node(0).httpPort(),
          Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10)))) {
        sendAcked(client, acked, 20);
        for (int i = 0; i < 30; i++) {
          var probe = "zombie-probe-" + i + "-" + UUID.randomUUID();
          // One user each: their records spread over the partitions, as many users' do.
          probes.put(probe, WebSocketTestClient.connect(cluster.node(0).httpPort(),
              Tokens.mint(TestNodes.JWT_SECRET, probe + "-owner", probe, Duration.ofMinutes(10))));
        }
        // Online, each with an 8 s presence timer: node 2 freezes with the timers of the probes it hosts pending, and
        // nothing of theirs in flight (a write already sent before the freeze may land; it is not the zombie's).
        for (var probe : probes.values()) {
          sendAcked(probe, new ArrayList<>(), 1);
        }
        long timersDue;
        try (var session = WalkingSkeletonTest.cql(cassandra)) {
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> probes.keySet()
              .stream().allMatch(probe -> uncheckedTelemetryIds(session, probe).size() == 1));
          timersDue = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        }

        // Frozen: not dead, not answering. The survivors' SBR downs it; they keep acking meanwhile.
        cluster.freeze(2);
        var downedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          sendAcked(client, acked, 2);
          return members(first).size() == 2;
        });
        assertTrue(System.nanoTime() - downedAt > TimeUnit.SECONDS.toNanos(10), "downed only after stable-after");
        // The replacement: each probe device's entity is started again on a survivor by its next frame.
        for (var probe : probes.values()) {
          sendAcked(probe, new ArrayList<>(), 1);
        }
        // The freeze lasts until the frozen node's presence timers are overdue (the fault's length, not a wait for
        // something to happen).
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(timersDue - System.nanoTime()) + 1_000));
        cluster.thaw(2);
        assertTrue(cluster.node(2).process().waitFor(60, TimeUnit.SECONDS), "the downed node exits when it wakes");
        probes.values().forEach(WebSocketTestClient::close);
        var zombieLog = Files.readString(cluster.node(2).log());
        assertTrue(zombieLog.contains("Writer fenced"), "the woken node fenced itself: " + cluster.node(2).log());
        assertTrue(zombieLog.contains("Journal write refused"),
            "the woken node had writes due (30 devices' presence timers) and they were refused: " + cluster.node(2).log());

        // A graceful leave of the second node, asked with the admin token: its shards move to the first.
        var leave = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first + "/cluster/members/"
                + cluster.node(1).address()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")).build();
        assertEquals(200, http.send(leave, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(cluster.node(1).process().waitFor(90, TimeUnit.SECONDS), "the leaving node stops");
        sendAcked(client, acked, 10);
        assertEquals(1, upMembers(first));
      }

      // Every acked telemetry message is in the Cassandra journal exactly once.
      try (var session = WalkingSkeletonTest.cql(cassandra)) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
            .until(() -> WalkingSkeletonTest.storedTelemetryIds(session, device).size() >= acked.size());
        var stored = WalkingSkeletonTest.storedTelemetryIds(session, device);
        assertEquals(acked.size(), stored.size(), "applied once each");
        assertEquals(new java.util.HashSet<>(acked), new java.util.HashSet<>(stored));
        // Whatever the probes' journals hold (their second frames may still wait: see docs/design.md, "a stalled
        // User shard"), each frame is there at most once, by one writer at a time.
        for (String probe : probes.keySet()) {
          var applied = WalkingSkeletonTest.storedTelemetryIds(session, probe);
          assertEquals(new java.util.HashSet<>(applied).size(), applied.size(), probe + " applied once each: " + applied);
          assertSingleWriterAtATime(session, probe);
        }
      }
    }
  }

  private static List<String> uncheckedTelemetryIds(com.datastax.oss.driver.api.core.CqlSession session, String device) {
    try {
      return WalkingSkeletonTest.storedTelemetryIds(session, device);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One writer at a time: by sequence number, no number twice, and once another incarnation (writer uuid) took over,
   * the earlier one never appears again. A zombie's write breaks one of the two.
   */
  private static void assertSingleWriterAtATime(com.datastax.oss.driver.api.core.CqlSession session, String device) {
    var query = com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("SELECT sequence_nr, writer_uuid FROM"
            + " herald.messages WHERE persistence_id = ? AND partition_nr = 0",
            io.herald.user.device.DeviceEntity.persistenceId(device).id())
        .setTimeout(Duration.ofSeconds(30));
    var rows = session.execute(query).all().stream()
        .map(row -> row.getLong("sequence_nr") + " by " + row.getString("writer_uuid")).toList();
    var seen = new java.util.HashSet<Long>();
    var retired = new java.util.HashSet<String>();
    String current = null;
    for (var row : rows) {
      long seq = Long.parseLong(row.substring(0, row.indexOf(' ')));
      String writer = row.substring(row.lastIndexOf(' ') + 1);
      assertTrue(seen.add(seq), "sequence_nr " + seq + " of " + device + " written twice: " + rows);
      if (!writer.equals(current)) {
        assertTrue(!retired.contains(writer), "writer " + writer + " of " + device + " wrote again after "
            + current + " took over: " + rows);
        if (current != null) {
          retired.add(current);
        }
        current = writer;
      }
    }
  }

  private static void sendAcked(WebSocketTestClient client, List<String> acked, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      var id = UUID.randomUUID().toString();
      var reply = client.request(WalkingSkeletonTest.telemetry(id, i));
      assertTrue(reply.hasAck(), "acked while the cluster changes: " + reply);
      acked.add(id);
    }
  }

  /** The node's view of the cluster: GET /cluster/members (members, leader, unreachable, ...). */
  private JsonNode clusterView(int managementPort) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/cluster/members"))
        .build(), HttpResponse.BodyHandlers.ofString());
    return json.readTree(response.body());
  }

  private List<JsonNode> members(int managementPort) throws Exception {
    var members = new ArrayList<JsonNode>();
    clusterView(managementPort).get("members").forEach(members::add);
    return members;
  }

  private String leader(int managementPort) throws Exception {
    return clusterView(managementPort).get("leader").asText();
  }

  private long upMembers(int managementPort) throws Exception {
    return members(managementPort).stream().filter(m -> m.get("status").asText().equals("Up")).count();
  }

}
