package io.herald.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.node.HeraldConfig;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short steady run against a real node (in this JVM) on real Kafka and Cassandra: the checker, reading Cassandra,
 * finds nothing lost, duplicated or reordered, and the report is written. Speeds go to the report, not to asserts.
 */
@ExtendWith(InfraExtension.class)
class SteadyScenarioTest {

  private static final String SECRET = "load-test-secret-load-test-secret-0123";

  @Test
  void aShortSteadyRunLosesNothingAppliesOnceInOrderAndWritesTheReport(Kafka kafka, Cassandra cassandra,
      @TempDir Path reportDirectory) throws Exception {
    Config config = HeraldConfig.load(Map.of(
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.auth.jwt-secret", SECRET,
        "herald.gateway.http.port", 0,
        // Not the default 5683: another node on this machine (a parallel build) may hold it.
        "herald.gateway.coap.port", 0,
        "pekko.remote.artery.canonical.port", 0,
        "pekko.management.http.port", 0));
    CassandraSchema.create(config, Duration.ofMinutes(2));

    try (var node = HeraldNode.start(config)) {
      awaitReady(node);
      var settings = ScenarioSettings.steady(
              URI.create("ws://127.0.0.1:" + node.httpPort() + "/v1/ws"),
              SECRET,
              20,
              40,
              Duration.ofSeconds(5),
              new InetSocketAddress("127.0.0.1", cassandra.port()),
              reportDirectory)
          .withLocalDatacenter(cassandra.localDatacenter());

      var result = Scenarios.run(settings, System.out);

      var summary = result.summary();
      assertEquals(0, summary.lost(), () -> "lost: " + summary.findings());
      assertEquals(0, summary.duplicates(), () -> "duplicates: " + summary.findings());
      assertEquals(0, summary.outOfOrder(), () -> "out of order: " + summary.findings());
      assertEquals(200, summary.sent());
      assertEquals(summary.sent(), summary.acked(), "every frame was acked within the drain bound");
      assertTrue(summary.applied() >= summary.acked(), "every acked frame was applied");

      String json = Files.readString(reportDirectory.resolve("summary.json"));
      for (String field : List.of("scenario", "rate_target", "sent", "acked", "nacked_by_code", "applied", "delivered",
          "lost", "duplicates", "out_of_order", "throughput_per_s", "latency_ms", "p50", "p99", "p999", "max")) {
        assertTrue(json.contains("\"" + field + "\""), field + " missing from " + json);
      }
      String html = Files.readString(reportDirectory.resolve("report.html"));
      assertTrue(html.contains("<svg"), "the report plots inline");
    }
  }

  private static void awaitReady(HeraldNode node) {
    var http = HttpClient.newHttpClient();
    var ready = HttpRequest.newBuilder(URI.create(node.managementUri().replaceAll("/$", "") + "/ready")).build();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
        http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }
}
