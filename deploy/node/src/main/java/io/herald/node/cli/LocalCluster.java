package io.herald.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.CassandraNode;
import io.herald.infra.ChildLauncher;
import io.herald.infra.ExitOrder;
import io.herald.infra.KafkaCluster;
import io.herald.infra.nodes.NodeProcesses;
import io.herald.infra.nodes.Signals;
import io.herald.infra.solr.SolrNode;
import io.herald.node.HeraldConfig;
import io.herald.persistence.CassandraSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code herald cluster | status | stop NODE | kill NODE}: a multi-process Herald cluster on this machine (N nodes,
 * B Kafka brokers, one Cassandra, one Solr with its embedded ZooKeeper for chat search), and the operator's view of it from another terminal. The running cluster is
 * described in {@code DATA_DIR/cluster.json} (pids and ports).
 */
final class LocalCluster {

  private static final String STATE_FILE = "cluster.json";
  private static final ObjectMapper json = new ObjectMapper();

  private LocalCluster() {}

  /** {@code <herald.home>/.herald/cluster}, whichever directory the command runs from. */
  static Path defaultDataDir() {
    return LocalStack.defaultDataDir().resolve("cluster");
  }

  static void run(int nodeCount, int brokers, String stableAfter, Path dataDirectory) throws Exception {
    var dataDir = dataDirectory.toAbsolutePath();
    var base = ConfigFactory.load();
    var secret = LocalSecret.resolve(base.getString("herald.auth.jwt-secret"), dataDir, LocalSecret.JWT_SECRET_FILE);
    var adminToken = LocalSecret.resolve(base.getString("herald.admin.token"), dataDir, LocalSecret.ADMIN_TOKEN_FILE);

    say("Starting " + brokers + " Kafka broker(s), Cassandra and Solr (data in " + dataDir + ")...");
    var kafka = KafkaCluster.builder().brokers(brokers).dataDir(dataDir.resolve("kafka")).build();
    var cassandra = CassandraNode.builder().dataDir(dataDir.resolve("cassandra")).build();
    NodeProcesses[] nodes = new NodeProcesses[1];
    // On exit (Ctrl-C, SIGTERM, or the node stopped by itself) the node stops first, then Cassandra and Kafka (the
    // infra's own exit hook), so the node drains and commits against live Kafka and Cassandra.
    ExitOrder.beforeChildProcessesStop(() -> {
      say("Stopping the cluster...");
      if (nodes[0] != null) {
        nodes[0].close();
      }
    });
    // One Solr (SolrCloud, its embedded ZooKeeper) for the cluster, as herald up has: stopped after the nodes, like
    // Kafka and Cassandra (a child process of this JVM). The chat search projection runs on the chat nodes.
    var solr = SolrNode.builder().dataDir(dataDir.resolve("solr")).build();
    ChildLauncher.startTogether(kafka, cassandra, solr);

    var settings = new LinkedHashMap<String, String>();
    settings.put("herald.kafka.bootstrap-servers", kafka.bootstrapServers());
    settings.put("herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter());
    settings.put("herald.auth.jwt-secret", secret.value());
    settings.put("herald.admin.token", adminToken.value());
    // RF 3 and min.insync 2 with three brokers: one broker may die without losing an acked record or availability.
    settings.put("herald.node.kafka-topics.replication-factor", String.valueOf(Math.min(3, brokers)));
    settings.put("herald.node.kafka-topics.min-insync-replicas", brokers >= 3 ? "2" : "1");
    // A frozen or cut-off node is downed sooner than in production, so local experiments do not wait long.
    settings.put("pekko.cluster.split-brain-resolver.stable-after", stableAfter);
    settings.put("herald.search.enabled", "true");
    settings.put("herald.search.solr.base-url", solr.baseUrl());
    settings.put("herald.search.telemetry.enabled", "true");
    var schemaSettings = new HashMap<String, Object>(Map.of(
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter()));
    CassandraSchema.create(HeraldConfig.load(schemaSettings), Duration.ofMinutes(2));

    nodes[0] = NodeProcesses.start(nodeCount, System.getProperty("java.class.path"), dataDir.resolve("logs"), settings,
        Map.of("HERALD_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint()));
    writeState(dataDir, nodes[0], kafka.bootstrapServers(), cassandra.contactPoint(), solr.baseUrl());
    nodes[0].awaitReady(Duration.ofMinutes(3));

    var summary = new StringBuilder("\nHerald cluster is up (" + nodeCount + " nodes, " + brokers + " brokers).\n");
    for (var node : nodes[0].nodes()) {
      summary.append("  node %d  pid %d  ws://127.0.0.1:%d/v1/ws  coap://127.0.0.1:%d  operator %s%n".formatted(
          node.index(), node.pid(), node.httpPort(), node.coapPort(), node.managementUri()));
    }
    summary.append("""
          Kafka       %s
          Cassandra   %s
          Solr        %s  (chat search: GET /v1/search/messages?q=... on any node)
          Admin token %s
          JWT secret  %s
        bin/herald status | stop N | kill N  (from another terminal); Ctrl-C stops everything.
        """.formatted(kafka.bootstrapServers(), cassandra.contactPoint(), solr.baseUrl(),
        adminToken.where("herald.admin.token"), secret.where("herald.auth.jwt-secret")));
    say(summary.toString());
    // Until Ctrl-C or SIGTERM, whatever the nodes do meanwhile (bin/herald stop N, kill N): the exit hooks stop them all.
    new CountDownLatch(1).await();
  }

  /** Whether a cluster is described in the data directory with at least one of its nodes still running. */
  static boolean running(Path dataDir) throws IOException {
    if (!Files.exists(dataDir.resolve(STATE_FILE))) {
      return false;
    }
    for (var node : readState(dataDir).get("nodes")) {
      if (ProcessHandle.of(node.get("pid").asLong()).map(ProcessHandle::isAlive).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  /** Members, shard distribution, consumer lag and breaker states, from the running cluster's operator ports. */
  static void status(Path dataDir, PrintWriter out) throws Exception {
    var state = readState(dataDir);
    for (var node : state.get("nodes")) {
      var uri = "http://127.0.0.1:" + node.get("management").asInt();
      var alive = ProcessHandle.of(node.get("pid").asLong()).map(ProcessHandle::isAlive).orElse(false);
      out.println("node " + node.get("index").asInt() + " (pid " + node.get("pid").asLong() + ", "
          + (alive ? "running" : "gone") + ", " + uri + ")");
      if (!alive) {
        continue;
      }
      try {
        new ManagementClient(uri).printStatus(out, Optional.empty());
      } catch (ManagementClient.OperatorCallFailed e) {
        out.println("  not answering: " + e.getMessage());
      }
    }
    out.flush();
  }

  /** Sends a signal (TERM: graceful stop, KILL: crash, STOP/CONT: freeze and wake) to node N of the running cluster. */
  static void signal(Path dataDir, int index, String signal) throws Exception {
    var state = readState(dataDir);
    for (var entry : state.get("nodes")) {
      if (entry.get("index").asInt() == index) {
        var pid = entry.get("pid").asLong();
        say((Signals.send(pid, signal) ? "Sent SIG" : "Could not send SIG") + signal + " to node " + index + " (pid " + pid + ")");
        return;
      }
    }
    throw new IllegalArgumentException("no node " + index + " in " + dataDir.resolve(STATE_FILE));
  }

  private static void writeState(Path dataDir, NodeProcesses nodes, String kafka, String cassandra, String solr)
      throws IOException {
    var state = json.createObjectNode().put("kafka", kafka).put("cassandra", cassandra).put("solr", solr);
    var array = state.putArray("nodes");
    for (var node : nodes.nodes()) {
      array.addObject().put("index", node.index()).put("pid", node.pid()).put("remote", node.remotePort())
          .put("management", node.managementPort()).put("http", node.httpPort()).put("coap", node.coapPort())
          .put("log", node.log().toString());
    }
    Files.writeString(dataDir.resolve(STATE_FILE), json.writerWithDefaultPrettyPrinter().writeValueAsString(state));
  }

  private static JsonNode readState(Path dataDir) throws IOException {
    var file = dataDir.resolve(STATE_FILE);
    if (!Files.exists(file)) {
      throw new IllegalStateException("no cluster described in " + file + ": start one with bin/herald cluster");
    }
    return json.readTree(file.toFile());
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
