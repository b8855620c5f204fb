package io.herald.node.cli;

import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Herald nodes as processes of this machine, each {@code io.herald.node.cli.Herald node} in a JVM of its own, joined
 * into one cluster on loopback: what {@code bin/herald cluster} runs, and what multi-process tests use. A node's
 * output goes to {@code node-N.log} in the log directory.
 */
public final class NodeProcesses implements AutoCloseable {

  /** One node process and its ports. */
  public record Node(int index, long pid, int remotePort, int managementPort, int httpPort, int coapPort, Path log,
      Process process) {

    public String address() {
      return "pekko://herald@127.0.0.1:" + remotePort;
    }

    public URI managementUri() {
      return URI.create("http://127.0.0.1:" + managementPort);
    }
  }

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final List<Node> nodes;

  private NodeProcesses(List<Node> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code count} nodes with every role; the first is the seed. {@code properties} become system properties of
   * every node (any Herald or Pekko setting), {@code environment} its environment (the HERALD_* overrides).
   */
  public static NodeProcesses start(int count, String classpath, Path logDir, Map<String, String> properties,
      Map<String, String> environment) throws IOException {
    Files.createDirectories(logDir);
    var ports = freePorts(4 * count);
    var seed = "pekko://herald@127.0.0.1:" + ports.get(0);
    var nodes = new ArrayList<Node>();
    try {
      for (int i = 0; i < count; i++) {
        int remote = ports.get(4 * i);
        int management = ports.get(4 * i + 1);
        int http = ports.get(4 * i + 2);
        int coap = ports.get(4 * i + 3);
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-Dpekko.remote.artery.canonical.port=" + remote,
            "-Dpekko.management.http.port=" + management,
            "-Dherald.gateway.http.port=" + http,
            "-Dherald.gateway.coap.port=" + coap));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", classpath, Herald.class.getName(), "node"));
        var log = logDir.resolve("node-" + i + ".log");
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("HERALD_SEED_NODES", seed);
        var process = builder.start();
        nodes.add(new Node(i, process.pid(), remote, management, http, coap, log, process));
      }
    } catch (IOException | RuntimeException e) {
      new NodeProcesses(nodes).close();
      throw e;
    }
    return new NodeProcesses(List.copyOf(nodes));
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Node node(int index) {
    return nodes.get(index);
  }

  /** Waits until every node's {@code /ready} answers 200 (Up, Kafka and Cassandra reachable). */
  public void awaitReady(Duration timeout) throws InterruptedException {
    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    var deadline = System.nanoTime() + timeout.toNanos();
    for (var node : nodes) {
      var ready = HttpRequest.newBuilder(node.managementUri().resolve("/ready")).timeout(Duration.ofSeconds(5)).build();
      while (true) {
        if (!node.process().isAlive()) {
          throw new IllegalStateException("Node " + node.index() + " exited; see " + node.log());
        }
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException notYet) {
          // the management endpoint is still starting
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Node " + node.index() + " was not ready within " + timeout + "; see "
              + node.log());
        }
        Thread.sleep(250);
      }
    }
  }

  /** Stops every node gracefully (SIGTERM: leave the cluster, drain), forcibly after a minute. */
  @Override
  public void close() {
    for (var node : nodes) {
      Signals.send(node.pid(), "CONT");
      node.process().destroy();
    }
    for (var node : nodes) {
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

  private static List<Integer> freePorts(int count) throws IOException {
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
