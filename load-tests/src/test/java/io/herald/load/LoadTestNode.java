package io.herald.load;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import io.herald.infra.Cassandra;
import io.herald.infra.Kafka;
import io.herald.node.HeraldConfig;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tests' Herald: one node with every role in the test JVM, on the shared real Kafka and Cassandra, with
 * ephemeral ports, ready before it is returned. Scenarios reach it only through its WebSocket URL and Cassandra.
 */
final class LoadTestNode implements AutoCloseable {

  static final String SECRET = "load-test-secret-load-test-secret-0123";

  private final HeraldNode node;
  private final Kafka kafka;
  private final Cassandra cassandra;
  private final int coapPort;

  private LoadTestNode(HeraldNode node, Kafka kafka, Cassandra cassandra, int coapPort) {
    this.node = node;
    this.kafka = kafka;
    this.cassandra = cassandra;
    this.coapPort = coapPort;
  }

  static LoadTestNode start(Kafka kafka, Cassandra cassandra) {
    return start(kafka, cassandra, Map.of());
  }

  /** @param overrides Herald configuration on top of the test defaults, e.g. lower gateway limits */
  static LoadTestNode start(Kafka kafka, Cassandra cassandra, Map<String, ?> overrides) {
    var settings = new HashMap<String, Object>(Map.of(
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.auth.jwt-secret", SECRET,
        "herald.gateway.http.port", 0,
        // Not the default 5683: another node on this machine (a parallel build) may hold it.
        "herald.gateway.coap.port", freeUdpPort(),
        "pekko.remote.artery.canonical.port", 0,
        "pekko.management.http.port", 0,
        // Tested in deploy/node's WarmUpTest; here it would only add seconds to each node start.
        "herald.node.warm-up.duration", "0s"));
    settings.putAll(overrides);
    Config config = HeraldConfig.load(settings);
    CassandraSchema.create(config, Duration.ofMinutes(2));
    var node = HeraldNode.start(config);
    try {
      awaitReady(node);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return new LoadTestNode(node, kafka, cassandra, config.getInt("herald.gateway.coap.port"));
  }

  private static int freeUdpPort() {
    try (var socket = new java.net.DatagramSocket(0)) {
      return socket.getLocalPort();
    } catch (java.net.SocketException e) {
      throw new IllegalStateException("no free UDP port", e);
    }
  }

  /** Herald's CoAP endpoint on this node. */
  URI coapUri() {
    return URI.create("coap://127.0.0.1:" + coapPort);
  }

  String secret() {
    return SECRET;
  }


  /** The steady scenario against this node. */
  ScenarioSettings steady(int devices, double ratePerSecond, Duration duration, Path reportDirectory) {
    return ScenarioSettings.steady(URI.create("ws://127.0.0.1:" + node.httpPort() + "/v1/ws"), SECRET, devices,
            ratePerSecond, duration, new InetSocketAddress("127.0.0.1", cassandra.port()), reportDirectory)
        .withLocalDatacenter(cassandra.localDatacenter());
  }

  /** The command line options that aim a run at this node: URL, secret, Cassandra and its data center. */
  List<String> targetArguments() {
    return List.of("--url", "ws://127.0.0.1:" + node.httpPort() + "/v1/ws", "--secret", SECRET,
        "--cassandra", "127.0.0.1:" + cassandra.port(), "--local-dc", cassandra.localDatacenter());
  }

  String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  @Override
  public void close() {
    node.close();
  }

  private static void awaitReady(HeraldNode node) {
    var http = HttpClient.newHttpClient();
    var ready = HttpRequest.newBuilder(URI.create(node.managementUri().replaceAll("/$", "") + "/ready")).build();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
        http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }
}
