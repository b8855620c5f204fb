package io.herald.load.chaos;

import io.herald.infra.CassandraNode;
import io.herald.infra.KafkaCluster;
import io.herald.infra.nodes.NodeProcesses;
import io.herald.infra.solr.SolrNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The cluster chaos runs break: three Kafka brokers (Herald's topics with replication factor 3 and {@code
 * min.insync.replicas} 2, so one broker may die without losing an acked record or availability), one Cassandra with
 * the {@code batch} commit log (with a single Cassandra, {@code periodic} acknowledges writes up to 10 s before they
 * are on disk, so a kill -9 would lose journal events Herald has already committed offsets for), and N Herald node
 * processes; with chat search ({@link ChaosClusterSettings#search}) also one Solr in SolrCloud mode with its embedded
 * ZooKeeper, which the nodes' search projection and endpoint use. Started as an operator would: launchers from herald-infra, the node's own {@code schema} command, nodes
 * by main class name; no Herald service code in this JVM.
 *
 * <p>Where network namespaces can be made (root), the last node runs in one of its own ({@link NetworkNamespace}),
 * and everything else listens on the host end of its link, so that node-partition can cut that node off. Elsewhere
 * everything is on loopback and node-partition is skipped, saying why.
 */
public final class ChaosCluster implements AutoCloseable {

  /** Brokers: three is the least that keeps acking (min.insync 2) with one of them down. */
  public static final int BROKERS = 3;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int SCHEMA_ATTEMPTS = 3;
  private static final Pattern UP = Pattern.compile("\"status\"\\s*:\\s*\"Up\"");
  private static final Pattern NONE_UNREACHABLE = Pattern.compile("\"unreachable\"\\s*:\\s*\\[\\s*]");
  /** A node's entry in a /cluster/members "unreachable" list starts with its address. */
  private static final Pattern UNREACHABLE = Pattern.compile("\"unreachable\"\\s*:\\s*\\[([^]]*)");
  /** One chaos cluster per machine at a time: the name and subnet of its namespace are fixed. */
  private static final String NAMESPACE = "herald-chaos";

  private final ChaosClusterSettings settings;
  private final KafkaCluster kafka;
  private final CassandraNode cassandra;
  /** Null unless the settings turn chat search on. */
  private final SolrNode solr;
  /** The last node's namespace, or null where none could be made ({@link #namespaceUnavailable} says why). */
  private final NetworkNamespace namespace;
  private final String namespaceUnavailable;
  private final String jwtSecret = randomSecret();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private NodeProcesses nodes;

  private ChaosCluster(ChaosClusterSettings settings) {
    this.settings = settings;
    NetworkNamespace made = null;
    String unavailable = null;
    try {
      made = NetworkNamespace.create(NAMESPACE, 0);
    } catch (NetworkNamespace.UnavailableException e) {
      unavailable = e.getMessage();
    }
    this.namespace = made;
    this.namespaceUnavailable = unavailable;
    String host = made != null ? made.hostAddress() : NodeProcesses.Placement.LOOPBACK.host();
    this.kafka = KafkaCluster.builder().brokers(BROKERS).host(host).dataDir(settings.dataDir().resolve("kafka"))
        .heap("384m").quickStartJit(true).build();
    this.cassandra = CassandraNode.builder().host(host).dataDir(settings.dataDir().resolve("cassandra"))
        .commitlogSync(CassandraNode.CommitlogSync.BATCH).quickStartJit(true).build();
    this.solr = settings.search()
        ? SolrNode.builder().host(host).dataDir(settings.dataDir().resolve("solr")).quickStartJit(true).build()
        : null;
  }

  /**
   * Starts brokers, Cassandra and Solr, if any (in parallel), creates the schema, starts the nodes and waits until every node is
   * ready and Up. On failure everything started is stopped and the exception says what did not come up.
   */
  public static ChaosCluster start(ChaosClusterSettings settings) throws IOException, InterruptedException {
    var cluster = new ChaosCluster(settings);
    try {
      cluster.startAll();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    var brokers = CompletableFuture.runAsync(kafka::start);
    var search = solr == null ? CompletableFuture.<Void>completedFuture(null) : CompletableFuture.runAsync(solr::start);
    cassandra.start();
    brokers.join();
    search.join();
    var schema = new LinkedHashMap<String, String>();
    schema.put("herald.persistence.cassandra.contact-points.0", cassandra.contactPoint());
    schema.put("herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter());
    schema.put("pekko.remote.artery.canonical.port", "0");
    createSchema(schema, deadline);
    nodes = NodeProcesses.start(placements(), settings.nodeClasspath(), settings.dataDir().resolve("logs"),
        nodeProperties(), Map.of("HERALD_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
            // As for the brokers and Cassandra (quickStartJit): C1 only, so replacements start in seconds on 2 cores.
            "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1"));
    awaitWhole(remaining(deadline));
  }

  /** Every node on loopback; or, with a namespace, the last one inside it and the others on its link's host end. */
  private List<NodeProcesses.Placement> placements() {
    var placements = new ArrayList<NodeProcesses.Placement>();
    for (int i = 0; i < settings.nodes(); i++) {
      if (namespace == null) {
        placements.add(NodeProcesses.Placement.LOOPBACK);
      } else if (i < settings.nodes() - 1) {
        placements.add(new NodeProcesses.Placement(namespace.hostAddress(), List.of()));
      } else {
        placements.add(new NodeProcesses.Placement(namespace.nodeAddress(), namespace.launcher()));
      }
    }
    return placements;
  }

  /**
   * The node's {@code schema} command, idempotent, tried up to {@link #SCHEMA_ATTEMPTS} times: on a loaded machine a
   * fresh Cassandra can still answer "table snapshots does not exist" to the probe right after creating it.
   */
  private void createSchema(Map<String, String> properties, long deadline) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      var log = settings.dataDir().resolve("logs/schema-" + attempt + ".log");
      try {
        NodeProcesses.runCommand("schema", settings.nodeClasspath(), properties, log, remaining(deadline));
        return;
      } catch (NodeProcesses.NodeNotReadyException e) {
        if (attempt == SCHEMA_ATTEMPTS || remaining(deadline).isZero()) {
          throw e;
        }
      }
    }
  }

  private Map<String, String> nodeProperties() {
    var properties = new LinkedHashMap<String, String>();
    properties.put("herald.kafka.bootstrap-servers", kafka.bootstrapServers());
    properties.put("herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter());
    properties.put("herald.auth.jwt-secret", jwtSecret);
    properties.put("herald.admin.token", randomSecret());
    properties.put("herald.node.kafka-topics.replication-factor", String.valueOf(BROKERS));
    properties.put("herald.node.kafka-topics.min-insync-replicas", "2");
    properties.put("pekko.cluster.split-brain-resolver.stable-after", settings.stableAfter().toMillis() + "ms");
    // A node restarted by a fault would otherwise add its own warm-up traffic to the window under measurement.
    properties.put("herald.node.warm-up.duration", "0s");
    if (solr != null) {
      // As herald up turns chat search on: the projection creates its collection in this Solr.
      properties.put("herald.search.enabled", "true");
      properties.put("herald.search.solr.base-url", solr.baseUrl());
    }
    return properties;
  }

  /**
   * Waits until every node process runs and answers ready, and node 0 sees all of them Up and none unreachable:
   * the state every fault starts from and returns to. {@link ClusterNotWholeException} past the bound.
   */
  public void awaitWhole(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < nodes.size(); i++) {
      try {
        nodes.awaitReady(i, remaining(deadline));
      } catch (NodeProcesses.NodeNotReadyException e) {
        throw new ClusterNotWholeException(e.getMessage());
      }
    }
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (var node : nodes.nodes()) {
        try {
          last = get(node.managementUri().resolve("/cluster/members"));
          if (UP.matcher(last).results().count() == nodes.size() && NONE_UNREACHABLE.matcher(last).find()) {
            return;
          }
        } catch (IOException e) {
          last = "node " + node.index() + ": " + e.getMessage();
        }
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
    throw new ClusterNotWholeException("not " + nodes.size() + " nodes Up within " + timeout + "; last seen: " + last);
  }

  /** Whether node {@code observer} reports {@code node} unreachable; false too when the observer does not answer. */
  boolean seesUnreachable(int observer, int node) throws InterruptedException {
    try {
      var unreachable = UNREACHABLE.matcher(get(nodes.node(observer).managementUri().resolve("/cluster/members")));
      return unreachable.find() && unreachable.group(1).contains(nodes.node(node).address());
    } catch (IOException e) {
      return false;
    }
  }

  public NodeProcesses nodes() {
    return nodes;
  }

  public KafkaCluster kafka() {
    return kafka;
  }

  public CassandraNode cassandra() {
    return cassandra;
  }

  /** The Solr of chat search, empty unless the settings turn search on. */
  public Optional<SolrNode> solr() {
    return Optional.ofNullable(solr);
  }

  public ChaosClusterSettings settings() {
    return settings;
  }

  public String jwtSecret() {
    return jwtSecret;
  }

  /** The namespace the victim runs in, empty where none could be made. */
  Optional<NetworkNamespace> namespace() {
    return Optional.ofNullable(namespace);
  }

  /** Why no namespace could be made, empty when there is one. */
  Optional<String> namespaceUnavailable() {
    return Optional.ofNullable(namespaceUnavailable);
  }

  /** Every node's WebSocket endpoint, node 0 first. */
  public List<URI> endpoints() {
    var endpoints = new ArrayList<URI>();
    nodes.nodes().forEach(node -> endpoints.add(node.webSocketUri()));
    return endpoints;
  }

  /** Every node's HTTP base (the gateway's port: WebSocket and REST), node 0 first. */
  public List<URI> httpEndpoints() {
    var endpoints = new ArrayList<URI>();
    nodes.nodes().forEach(node -> endpoints.add(URI.create("http://" + node.host() + ":" + node.httpPort())));
    return endpoints;
  }

  public InetSocketAddress cassandraAddress() {
    return new InetSocketAddress(cassandra.host(), cassandra.port());
  }

  /**
   * The node the faults hit: the one with the highest address. Keep-majority, with the cluster split in halves (one
   * of two nodes unreachable), keeps the half with the lowest address, ordered by host (as text) and then port; on
   * loopback the ports are random, so this is not node N-1 by index. Hitting the other node would have the survivor
   * down itself. With a namespace it is the node inside: its address is the host end's plus one.
   */
  public int victim() {
    return nodes.nodes().stream().max(Comparator.comparing(NodeProcesses.Node::host)
        .thenComparingInt(NodeProcesses.Node::remotePort)).orElseThrow().index();
  }

  /** Stops the nodes (SIGTERM), then Solr, Cassandra and the brokers; data stays in the data directory. */
  @Override
  public void close() {
    if (nodes != null) {
      nodes.close();
    }
    if (solr != null) {
      solr.close();
    }
    cassandra.close();
    kafka.close();
    if (namespace != null) {
      namespace.close();
    }
  }

  private String get(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private static String randomSecret() {
    var bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The cluster did not get (back) to every node running, ready and Up in time. */
  public static final class ClusterNotWholeException extends IllegalStateException {
    public ClusterNotWholeException(String message) {
      super(message);
    }
  }
}
