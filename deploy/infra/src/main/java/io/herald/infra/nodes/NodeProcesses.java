package io.herald.infra.nodes;

import io.herald.infra.FreePorts;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Herald nodes as processes of this machine, each {@code io.herald.node.cli.Herald node} in a JVM of its own, joined
 * into one cluster on loopback (or where each node's {@link Placement} says): what {@code bin/herald cluster} runs,
 * what multi-process tests and the chaos harness use. A node's output goes to {@code node-N.log} in the log directory
 * (a replacement appends to it).
 *
 * <p>Nodes find each other by cluster bootstrap over a fixed list: every node gets the management addresses of all
 * nodes as {@code HERALD_CONTACT_POINTS} (discovery {@code contact-points}). A new cluster forms only once every node
 * has answered that it is in none, so the cluster forms once at start, and a replacement of any node joins the running
 * cluster however late its answers come. (Pekko's static seed nodes would let a restarted first seed form a second
 * cluster when the others' answers came later than {@code seed-node-timeout}; the chaos harness saw it.) A single
 * node joins itself.
 */
public final class NodeProcesses implements AutoCloseable {

  /** The node's main class and command, named by string: launching a node needs only its classpath. */
  public static final String MAIN_CLASS = "io.herald.node.cli.Herald";
  public static final String COMMAND = "node";

  /**
   * Where a node runs: the address of this machine it binds and advertises (remoting and management), and the
   * command its JVM is started under, e.g. {@code ip netns exec NAME} for a node in a network namespace of its own
   * (which must exec the JVM, so that the process's pid is the JVM's).
   */
  public record Placement(String host, List<String> launcher) {
    public static final Placement LOOPBACK = new Placement("127.0.0.1", List.of());

    public Placement {
      java.util.Objects.requireNonNull(host, "host");
      launcher = List.copyOf(launcher);
    }
  }

  /** One node process and its ports. A replacement of node i has the same index, placement and ports, another pid. */
  public record Node(int index, long pid, Placement placement, int remotePort, int managementPort, int httpPort,
      int coapPort, Path log, Process process) {

    public String host() {
      return placement.host();
    }

    public String address() {
      return "pekko://herald@" + host() + ":" + remotePort;
    }

    public URI managementUri() {
      return URI.create("http://" + host() + ":" + managementPort);
    }

    /** The node's WebSocket endpoint. */
    public URI webSocketUri() {
      return URI.create("ws://" + host() + ":" + httpPort + "/v1/ws");
    }
  }

  /** A node exited, or did not become ready in time. */
  public static final class NodeNotReadyException extends IllegalStateException {
    public NodeNotReadyException(String message) {
      super(message);
    }
  }

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  /** Per node: small enough for several nodes, three brokers and Cassandra on one small machine. */
  private static final String HEAP = "-Xmx384m";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String classpath;
  private final Map<String, String> properties;
  private final Map<String, String> environment;
  /** The HERALD_* variables by which the nodes find each other, the same for every node and every replacement. */
  private final Map<String, String> discovery;
  private final Node[] nodes;

  private NodeProcesses(String classpath, Path logDir, Map<String, String> properties, Map<String, String> environment,
      List<Integer> ports, List<Placement> placements) {
    this.classpath = classpath;
    this.properties = Map.copyOf(properties);
    this.environment = Map.copyOf(environment);
    this.nodes = new Node[placements.size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = new Node(i, -1, placements.get(i), ports.get(4 * i), ports.get(4 * i + 1), ports.get(4 * i + 2),
          ports.get(4 * i + 3), logDir.resolve("node-" + i + ".log"), null);
    }
    this.discovery = nodes.length == 1
        ? Map.of("HERALD_DISCOVERY", "seed-nodes", "HERALD_SEED_NODES", nodes[0].address())
        : Map.of("HERALD_DISCOVERY", "contact-points", "HERALD_CONTACT_POINTS", java.util.Arrays.stream(nodes)
            .map(node -> node.host() + ":" + node.managementPort()).collect(Collectors.joining(",")));
  }

  /**
   * Starts {@code count} nodes with every role. {@code properties} become system properties of every node (any
   * Herald or Pekko setting), {@code environment} its environment (the HERALD_* overrides); {@code classpath} is the
   * node's (deploy/node's target/classes and target/herald.classpath).
   */
  public static NodeProcesses start(int count, String classpath, Path logDir, Map<String, String> properties,
      Map<String, String> environment) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    return start(java.util.Collections.nCopies(count, Placement.LOOPBACK), classpath, logDir, properties, environment);
  }

  /** As {@link #start(int, String, Path, Map, Map)}, one node per placement, node i at {@code placements.get(i)}. */
  public static NodeProcesses start(List<Placement> placements, String classpath, Path logDir,
      Map<String, String> properties, Map<String, String> environment) throws IOException {
    if (placements.isEmpty()) {
      throw new IllegalArgumentException("no placements: at least one node");
    }
    Files.createDirectories(logDir);
    var cluster = new NodeProcesses(classpath, logDir, properties, environment, freePorts(4 * placements.size()),
        placements);
    try {
      for (int i = 0; i < placements.size(); i++) {
        cluster.launch(i, false);
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The current process of every node (a replaced node's newest). */
  public synchronized List<Node> nodes() {
    return List.of(nodes);
  }

  public synchronized Node node(int index) {
    return nodes[index];
  }

  public int size() {
    return nodes.length;
  }

  /** SIGKILL: a crash, nothing drained or handed over. */
  public boolean kill(int index) {
    return Signals.send(node(index).pid(), "KILL");
  }

  /** SIGTERM: the node leaves the cluster and drains (Pekko coordinated shutdown), then exits. */
  public boolean terminate(int index) {
    return Signals.send(node(index).pid(), "TERM");
  }

  /** SIGSTOP: the process is frozen, its sockets stay open but nothing answers. */
  public boolean freeze(int index) {
    return Signals.send(node(index).pid(), "STOP");
  }

  /** SIGCONT: a frozen node runs again. */
  public boolean thaw(int index) {
    return Signals.send(node(index).pid(), "CONT");
  }

  /** True when node {@code index}'s current process exited within {@code timeout}. */
  public boolean awaitExit(int index, Duration timeout) throws InterruptedException {
    return node(index).process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a new process for node {@code index} on the same ports, which joins the running cluster. The old process
   * must have exited (a killed, stopped or downed node), or its ports would still be taken.
   */
  public synchronized Node replace(int index) throws IOException {
    if (nodes[index].process() != null && nodes[index].process().isAlive()) {
      throw new IllegalStateException("node " + index + " (pid " + nodes[index].pid() + ") still runs; stop it first");
    }
    return launch(index, true);
  }

  /** Waits until every node's {@code /ready} answers 200 (Up, Kafka and Cassandra reachable). */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < nodes.length; i++) {
      awaitReady(i, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  /** Waits until node {@code index}'s {@code /ready} answers 200; {@link NodeNotReadyException} if it exits first. */
  public void awaitReady(int index, Duration timeout) throws InterruptedException {
    var node = node(index);
    var ready = HttpRequest.newBuilder(node.managementUri().resolve("/ready")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!node.process().isAlive()) {
        throw new NodeNotReadyException("Node " + index + " exited; see " + node.log());
      }
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // the management endpoint is still starting
      }
      if (System.nanoTime() > deadline) {
        throw new NodeNotReadyException("Node " + index + " was not ready within " + timeout + "; see " + node.log());
      }
      Thread.sleep(250);
    }
  }

  /** Stops every node gracefully (SIGTERM: leave the cluster, drain), forcibly after a minute. */
  @Override
  public void close() {
    var running = nodes().stream().filter(node -> node.process() != null).toList();
    for (var node : running) {
      // A frozen node cannot act on SIGTERM.
      Signals.send(node.pid(), "CONT");
      node.process().destroy();
    }
    for (var node : running) {
      try {
        if (!node.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          node.process().destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        node.process().destroyForcibly();
      }
    }
  }

  /**
   * Runs a one-shot node command (e.g. {@code schema}: create the Cassandra keyspace and tables) in a JVM of its own
   * on {@code classpath}, with {@code properties} as system properties; output to {@code log}. Throws {@link
   * NodeNotReadyException} if it fails or does not end within {@code timeout}.
   */
  public static void runCommand(String command, String classpath, Map<String, String> properties, Path log,
      Duration timeout) throws IOException, InterruptedException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    var line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP));
    properties.forEach((key, value) -> line.add("-D" + key + "=" + value));
    line.addAll(List.of("-cp", classpath, MAIN_CLASS, command));
    var process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new NodeNotReadyException("'" + command + "' did not end within " + timeout + "; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new NodeNotReadyException("'" + command + "' failed (exit " + process.exitValue() + "); see " + log);
    }
  }

  private synchronized Node launch(int index, boolean appendLog) throws IOException {
    var slot = nodes[index];
    var command = new ArrayList<>(slot.placement().launcher());
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        HEAP,
        "-Dpekko.remote.artery.canonical.port=" + slot.remotePort(),
        "-Dpekko.management.http.port=" + slot.managementPort(),
        "-Dherald.gateway.http.port=" + slot.httpPort(),
        "-Dherald.gateway.coap.port=" + slot.coapPort()));
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-cp", classpath, MAIN_CLASS, COMMAND));
    var log = slot.log().toFile();
    var builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(appendLog ? ProcessBuilder.Redirect.appendTo(log) : ProcessBuilder.Redirect.to(log));
    builder.environment().putAll(environment);
    builder.environment().putAll(discovery);
    builder.environment().put("HERALD_REMOTE_HOST", slot.host());
    builder.environment().put("HERALD_MANAGEMENT_HOST", slot.host());
    var process = builder.start();
    var node = new Node(index, process.pid(), slot.placement(), slot.remotePort(), slot.managementPort(),
        slot.httpPort(), slot.coapPort(), slot.log(), process);
    nodes[index] = node;
    return node;
  }

  private static List<Integer> freePorts(int count) {
    return IntStream.range(0, count).mapToObj(i -> FreePorts.pick()).toList();
  }
}
