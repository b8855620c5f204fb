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
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ReportState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's side of a node: Prometheus metrics after traffic, and the dead-letter admin behind its token. */
@ExtendWith(InfraExtension.class)
class OperatorEndpointsTest {

  private static final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void metricsShowTheNamedSeriesAndDeadLettersAreListedAndReplayed(Kafka kafka, Cassandra cassandra) throws Exception {
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var base = node.managementUri().replaceAll("/$", "");

      try (var device = WebSocketTestClient.connect(node.httpPort(),
          Tokens.mint(TestNodes.JWT_SECRET, "ops-user", "ops-device", Duration.ofMinutes(5)))) {
        assertTrue(device.request(WalkingSkeletonTest.telemetry(UUID.randomUUID().toString(), 1)).hasAck());
        assertTrue(device.request(ClientFrame.newBuilder().setMessageId("").setHeartbeat(Heartbeat.getDefaultInstance())).hasNack());
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var metrics = get(base + "/metrics", null).body();
        assertTrue(metrics.contains("herald_ingest_records_total{outcome=\"applied\"}"), "records by outcome");
        assertTrue(metrics.contains("herald_entity_persist_seconds_count{entity=\"Device\"}"), "persist latency");
        assertTrue(metrics.contains("herald_ingest_apply_seconds_count"), "apply latency");
        assertTrue(metrics.lines().anyMatch(line -> line.matches(
            "herald_kafka_consumer_lag\\{partition=\"\\d+\",topic=\"herald\\.ingress\"\\} .*")), "lag per topic and partition; the "
            + "pipeline's series: " + metrics.lines().filter(line -> line.startsWith("herald_ingest_records")
            || line.startsWith("herald_kafka")).toList());
        assertTrue(metrics.contains("kafka_producer_record_send_total{"), "the Kafka producer's own metrics");
        assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_consumed_total{"),
            "the Kafka consumer's own metrics");
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(metrics.contains("herald_gateway_frames_in_total{kind=\"telemetry\",transport=\"websocket\"}"), "frames in");
        assertTrue(metrics.contains("herald_gateway_acks_total{transport=\"websocket\"}"), "acks");
        assertTrue(metrics.contains("herald_gateway_nacks_total{code=\"INVALID\",transport=\"websocket\"}"), "nacks by code");
        assertTrue(metrics.contains("herald_gateway_kafka_produce_seconds_count{outcome=\"durable\"}"), "produce latency");
        assertTrue(metrics.contains("herald_gateway_sessions_open"), "open sessions");
        assertTrue(metrics.contains("herald_gateway_kafka_breaker_state"), "breaker state");
        // Every series the Grafana dashboard (deploy/grafana/herald.json) queries is one this node exports.
        for (var series : dashboardSeries()) {
          assertTrue(metrics.contains(series), "the dashboard queries " + series + ", which /metrics does not show");
        }
      });

      var poisonKey = "poison-" + UUID.randomUUID();
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
          new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("herald.ingress", poisonKey, "garbage".getBytes(StandardCharsets.UTF_8))).get();
      }
      assertEquals(401, get(base + "/admin/dead-letters", null).statusCode());
      assertEquals(401, get(base + "/admin/dead-letters", "wrong-token").statusCode());

      var listed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> deadLettersWithKey(base, poisonKey), letters -> letters.size() == 1).get(0);
      assertTrue(listed.get("reason").asText().startsWith("undecodable"), listed.toString());

      var replay = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/dead-letters/replay?partition="
                  + listed.get("partition").asInt() + "&offset=" + listed.get("offset").asLong()))
              .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, replay.statusCode(), replay.body());
      assertEquals(1, json.readTree(replay.body()).get("replayed").asInt());
      // Replayed into herald.ingress, the record is processed again; still poison, it comes back a second time.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> deadLettersWithKey(base, poisonKey).size() == 2);
    }
  }

  @Test
  void degradationSwitchesShedTelemetryOrRefuseWritesWhileReadsAreServed(Kafka kafka, Cassandra cassandra) throws Exception {
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var base = node.managementUri().replaceAll("/$", "");
      var token = Tokens.mint(TestNodes.JWT_SECRET, "degraded-user", "degraded-device", Duration.ofMinutes(5));
      try (var device = WebSocketTestClient.connect(node.httpPort(), token)) {
        assertTrue(device.request(reportState()).hasAck());
        var shadow = URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/devices/degraded-device/shadow");
        await().atMost(Duration.ofSeconds(60)).until(() -> getShadow(shadow, token).statusCode() == 200);

        assertEquals(401, post(base + "/admin/degradation?mode=read-only", null).statusCode());
        assertEquals("read-only", json.readTree(post(base + "/admin/degradation?mode=read-only&reason=test",
            TestNodes.ADMIN_TOKEN).body()).get("mode").asText());
        assertEquals("read-only", json.readTree(get(base + "/admin/degradation", TestNodes.ADMIN_TOKEN).body())
            .get("mode").asText());
        assertTrue(get(base + "/metrics", null).body().contains("herald_gateway_degradation_mode{mode=\"read-only\"} 1.0"));

        var refused = device.request(WalkingSkeletonTest.telemetry(UUID.randomUUID().toString(), 1)).getNack();
        assertEquals(NackCode.RETRY_LATER, refused.getCode());
        assertTrue(refused.getDetail().contains("read-only"), refused.getDetail());
        assertEquals(NackCode.RETRY_LATER, device.request(reportState()).getNack().getCode());
        assertEquals(200, getShadow(shadow, token).statusCode(), "reads are served");

        post(base + "/admin/degradation?mode=shed-telemetry", TestNodes.ADMIN_TOKEN);
        assertEquals(NackCode.RETRY_LATER,
            device.request(WalkingSkeletonTest.telemetry(UUID.randomUUID().toString(), 1)).getNack().getCode());
        assertTrue(device.request(reportState()).hasAck(), "shadows go on while telemetry is shed");

        post(base + "/admin/degradation?mode=normal", TestNodes.ADMIN_TOKEN);
        assertTrue(device.request(WalkingSkeletonTest.telemetry(UUID.randomUUID().toString(), 2)).hasAck());
        assertEquals(400, post(base + "/admin/degradation?mode=sideways", TestNodes.ADMIN_TOKEN).statusCode());
      }

      // Cluster reads are open; changing the cluster needs the admin token.
      var self = Cluster.get(node.system()).selfMember().address().toString();
      assertTrue(get(base + "/cluster/members", null).body().contains(self));
      var leave = HttpRequest.newBuilder(URI.create(base + "/cluster/members/" + self))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave"));
      assertEquals(401, http.send(leave.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(MemberStatus.up(), Cluster.get(node.system()).selfMember().status());
      var left = http.send(leave.header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, left.statusCode(), left.body());
      node.system().getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static java.util.Set<String> dashboardSeries() throws Exception {
    var series = new java.util.TreeSet<String>();
    var matcher = java.util.regex.Pattern.compile("\\b((?:herald|jvm)_[a-z_]+)")
        .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("..", "grafana", "herald.json")));
    while (matcher.find()) {
      series.add(matcher.group(1));
    }
    assertTrue(series.size() > 10, "the dashboard has panels: " + series);
    return series;
  }

  private static ClientFrame reportState() {
    return ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
        .setReportState(ReportState.newBuilder().putReported("mode", "eco")).build();
  }

  private HttpResponse<String> getShadow(URI shadow, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(shadow).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String uri, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<JsonNode> deadLettersWithKey(String base, String key) throws Exception {
    var response = get(base + "/admin/dead-letters", TestNodes.ADMIN_TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    var matching = new ArrayList<JsonNode>();
    json.readTree(response.body()).get("dead_letters").forEach(letter -> {
      if (key.equals(letter.get("key").asText())) {
        matching.add(letter);
      }
    });
    return matching;
  }

  private HttpResponse<String> get(String uri, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(uri));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
