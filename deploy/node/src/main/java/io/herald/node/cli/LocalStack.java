package io.herald.node.cli;

import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.CassandraNode;
import io.herald.infra.ChildLauncher;
import io.herald.infra.ExitOrder;
import io.herald.infra.KafkaCluster;
import io.herald.infra.solr.SolrNode;
import io.herald.node.HeraldConfig;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code herald up}: real Kafka, Cassandra and Solr (SolrCloud, embedded ZooKeeper) as child processes of this JVM, the
 * schema step, one node with every role and chat search on, then waits for readiness and prints how to connect.
 * Ctrl-C stops the node first, then Solr, Cassandra and Kafka; the data stays in the data directory for the next start.
 */
final class LocalStack {

  /** Where bin/herald lives (it passes {@code -Dherald.home}); without it, the working directory. */
  static final String HOME_PROPERTY = "herald.home";

  private LocalStack() {}

  /**
   * {@code <herald.home>/.herald}: the same directory whichever directory a command runs from, so {@code herald token}
   * signs with the secret {@code herald up} generated. A relative {@code --data-dir} still means the working directory.
   */
  static Path defaultDataDir() {
    var home = System.getProperty(HOME_PROPERTY, "");
    return Path.of(home.isBlank() ? "" : home).resolve(".herald").toAbsolutePath().normalize();
  }

  /**
   * What herald up prints once the node is ready: where to connect, and where the secrets are (never their values: a
   * terminal's scrollback, a shared screen or a CI log is no place for them).
   */
  static String banner(int httpPort, int coapPort, String managementUri, String kafka, String cassandra, String solr,
      LocalSecret secret, LocalSecret adminToken, Path dataDir) {
    var dataDirOption = dataDir.equals(defaultDataDir()) ? "" : " --data-dir " + dataDir;
    var management = managementUri.replaceAll("/$", "");
    var managementOption = management.equals(Herald.DEFAULT_MANAGEMENT_URL) ? "" : " --management-url " + management;
    var tokenFileOption = adminToken.configured() || dataDirOption.isEmpty() ? "" : " --admin-token-file " + adminToken.file();
    var operatorOptions = managementOption + tokenFileOption;
    return """

        Herald is up.
          WebSocket   ws://127.0.0.1:%d/v1/ws
          CoAP        coap://127.0.0.1:%d/v1/messages
          Operator    %s  (/ready, /alive, /cluster/members, /metrics, /admin/*)
          Admin token %s
          Kafka       %s
          Cassandra   %s
          Solr        %s  (chat search: GET /v1/search/messages?q=...)
          JWT secret  %s
        Mint a device token:  bin/herald token --user alice --device phone-1%s
        Operator commands:    bin/herald status | dead-letters list | drain%s  (--help for each)
        Ctrl-C stops everything; data stays in %s
        """.formatted(httpPort, coapPort, managementUri, adminToken.where("herald.admin.token"), kafka, cassandra,
        solr, secret.where("herald.auth.jwt-secret"), dataDirOption,
        operatorOptions.isEmpty() ? "" : ", each with" + operatorOptions, dataDir);
  }

  /** The ports herald up listens on. */
  record Ports(int kafka, int cassandra, int solr, int solrZooKeeper, int http, int coap, int management, int remote) {}

  static void run(Ports ports, Path dataDirectory) throws Exception {
    var dataDir = dataDirectory.toAbsolutePath();
    var base = ConfigFactory.load();
    var secret = LocalSecret.resolve(base.getString("herald.auth.jwt-secret"), dataDir, LocalSecret.JWT_SECRET_FILE);
    var adminToken = LocalSecret.resolve(base.getString("herald.admin.token"), dataDir, LocalSecret.ADMIN_TOKEN_FILE);

    say("Starting Kafka on 127.0.0.1:" + ports.kafka() + ", Cassandra on 127.0.0.1:" + ports.cassandra()
        + " and Solr on 127.0.0.1:" + ports.solr() + " (ZooKeeper on 127.0.0.1:" + ports.solrZooKeeper()
        + "), side by side (data in " + dataDir + ")...");
    // Full JIT (C1 and C2) for both: the test fixtures start them C1-only to start faster, but a node that takes load
    // shares the machine with them, and C1-only code costs them more CPU per record (docs/performance.md).
    var kafka = KafkaCluster.builder().dataDir(dataDir.resolve("kafka")).ports(ports.kafka()).quickStartJit(false)
        .build();
    var cassandra = CassandraNode.builder().dataDir(dataDir.resolve("cassandra")).nativePort(ports.cassandra())
        .quickStartJit(false).build();
    HeraldNode[] node = new HeraldNode[1];
    // On exit (Ctrl-C, SIGTERM, or the node stopped by itself) the node stops first, then Cassandra and Kafka (the
    // infra's own exit hook), so the node drains and commits against live Kafka and Cassandra.
    ExitOrder.beforeChildProcessesStop(() -> {
      say("Stopping Herald...");
      if (node[0] != null) {
        node[0].close();
      }
    });

    // A child process of this JVM like Kafka and Cassandra, stopped after the node like them.
    var solr = SolrNode.builder().dataDir(dataDir.resolve("solr")).port(ports.solr()).zkPort(ports.solrZooKeeper())
        .quickStartJit(false).build();
    ChildLauncher.startTogether(kafka, cassandra, solr);

    var config = HeraldConfig.load(Map.ofEntries(
            Map.entry("herald.kafka.bootstrap-servers", kafka.bootstrapServers()),
            Map.entry("herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint())),
            Map.entry("herald.auth.jwt-secret", secret.value()),
            Map.entry("herald.admin.token", adminToken.value()),
            Map.entry("herald.gateway.http.port", ports.http()),
            Map.entry("herald.gateway.coap.port", ports.coap()),
            Map.entry("pekko.management.http.port", ports.management()),
            Map.entry("pekko.remote.artery.canonical.port", ports.remote()),
            Map.entry("herald.search.enabled", true),
            Map.entry("herald.search.solr.base-url", solr.baseUrl()),
            Map.entry("herald.search.telemetry.enabled", true)));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    node[0] = HeraldNode.start(config);
    awaitReady(node[0].managementUri());

    say(banner(node[0].httpPort(), ports.coap(), node[0].managementUri(), kafka.bootstrapServers(),
        cassandra.contactPoint(), solr.baseUrl(), secret, adminToken, dataDir));
    // Returns when the node stopped (Ctrl-C, or by itself: downed, fenced); the exit then stops Cassandra and Kafka.
    node[0].system().getWhenTerminated().toCompletableFuture().join();
  }

  private static void awaitReady(String managementUri) throws InterruptedException {
    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    var ready = HttpRequest.newBuilder(URI.create(managementUri.replaceAll("/$", "") + "/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    var deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // the management endpoint is still starting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("The node did not become ready within 2 minutes: see " + managementUri + "/ready");
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
