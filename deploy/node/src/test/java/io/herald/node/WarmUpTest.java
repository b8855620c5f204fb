package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.node.warmup.WarmUp;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.device.v1.NackCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node with its warm-up on: /ready holds back (only the warm-up check failing) until the warm-up traffic has
 * gone all the way through (every frame answered, chat pushes received at the other member, a burst refused), and
 * the node's metrics count it.
 */
@ExtendWith(InfraExtension.class)
class WarmUpTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void readyOnlyAfterTheWarmUpTrafficWentThroughKafkaTheEntitiesAndCassandra(Kafka kafka, Cassandra cassandra)
      throws Exception {
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.node.warm-up.duration", "6s",
        "herald.node.warm-up.frames-per-second", "1500",
        // A bound far above what the warm-up needs, so a crowded machine slows the test instead of cutting it short.
        "herald.node.warm-up.give-up-after", "240s"));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    try (var node = HeraldNode.start(config)) {
      var warmUp = WarmUp.get(node.system().classicSystem());
      var ready = HttpRequest.newBuilder(URI.create(node.managementUri().replaceAll("/$", "") + "/ready"))
          .timeout(Duration.ofSeconds(10)).build();
      List<String> heldBackByWarmUpOnly = new ArrayList<>();
      List<String> notReady = new ArrayList<>();
      await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100)).until(() -> {
        boolean finishedBefore = warmUp.finished();
        var before = warmUp.progress();
        var answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
          notReady.add(answer.statusCode() + " after " + before);
        }
        // Acks and chat pushes already flowing end to end show that the cluster, the shards, Kafka and Cassandra
        // were there: what /ready still waited for was the warm-up.
        if (answer.statusCode() != 200 && !finishedBefore && before.acked() >= 100 && before.chatPushes() > 0) {
          heldBackByWarmUpOnly.add(before.toString());
        }
        if (answer.statusCode() == 200) {
          // The check is evaluated after the request left, so a warm-up that finished meanwhile may answer 200;
          // one that had not finished by the time the answer came back must not.
          assertTrue(warmUp.finished(), "/ready said 200 before the warm-up finished");
          return true;
        }
        return false;
      });
      assertFalse(heldBackByWarmUpOnly.isEmpty(), "/ready never held back while only the warm-up ran: " + notReady.subList(Math.max(0, notReady.size() - 5), notReady.size()));

      var report = warmUp.report().toCompletableFuture().get(1, TimeUnit.SECONDS);
      assertNull(report.problem(), report.toString());
      assertTrue(report.completed(), report.toString());
      assertTrue(report.acked() >= 1_000, "most of 6 s at 300 telemetry frames/s acked: " + report);
      assertTrue(report.chatPushes() > 0, "chat messages reached the other member: " + report);
      assertEquals(0, report.rejected(), "no warm-up frame was refused by its entity: " + report);
      assertEquals(1L, report.refused().get(NackCode.INVALID), "the one invalid frame was refused: " + report);
      // RETRY_LATER for the burst past the device's rate limit, unless the machine sent it slower than the bucket
      // refills; nothing else.
      var unexpected = new java.util.HashMap<>(report.refused());
      unexpected.remove(NackCode.INVALID);
      unexpected.remove(NackCode.RETRY_LATER);
      assertEquals(Map.of(), unexpected, "nothing else refused: " + report);

      var metrics = http.send(HttpRequest.newBuilder(URI.create(node.managementUri().replaceAll("/$", "")
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("herald_node_warm_up_frames_total{outcome=\"acked\"}"), "warm-up frames counted");
    }
  }
}
