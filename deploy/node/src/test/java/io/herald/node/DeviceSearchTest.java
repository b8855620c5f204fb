package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.infra.solr.SolrNode;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Device search on real Kafka, Cassandra and Solr (SolrCloud, embedded ZooKeeper), through one node: devices report
 * their state (records in herald.ingress, as the gateway produces them), and {@code GET /v1/devices} by a reported
 * property and by presence returns exactly the caller's matching devices, never another user's.
 */
@ExtendWith(InfraExtension.class)
class DeviceSearchTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void byAReportedPropertyAndByPresenceExactlyTheOwnersMatchingDevices(Kafka kafka, Cassandra cassandra,
      SolrNode solr) throws Exception {
    var run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    var alice = "alice-" + run;
    var bob = "bob-" + run;
    var kept = "kept-" + run;      // alice's, firmware 1.2.3, kept online
    var silent = "silent-" + run;  // alice's, firmware 1.2.9, goes offline
    var newer = "newer-" + run;    // alice's, firmware 2.0
    var bobs = "bobs-" + run;      // bob's, firmware 1.2.5
    TestNodes.withSchema(kafka, cassandra);
    // An ingress topic of its own: this test writes records straight into it (no gateway, so no trace header), and a
    // record it leaves uncommitted must not reach the next test class's node on the shared topic.
    var topic = "herald.ingress.devices-" + run;
    var config = TestNodes.config(kafka, cassandra, Map.ofEntries(
        Map.entry("herald.kafka.topics.ingress", topic),
        Map.entry("herald.search.enabled", true),
        Map.entry("herald.search.solr.base-url", solr.baseUrl()),
        Map.entry("herald.search.solr.collection", "chat_" + run),
        Map.entry("herald.search.devices.collection", "devices_" + run),
        Map.entry("herald.search.projection.restart-min-backoff", "500ms"),
        Map.entry("herald.search.projection.restart-max-backoff", "2s"),
        // A device that sends nothing for 3 s goes offline.
        Map.entry("herald.user.device.presence-timeout", "3s"),
        Map.entry("herald.gateway.rest.user-reads-per-second", 1000),
        Map.entry("herald.gateway.rest.user-read-burst", 1000)));

    try (var node = HeraldNode.start(config);
        var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
            new StringSerializer(), new ByteArraySerializer())) {
      WalkingSkeletonTest.awaitReady(node);
      report(producer, topic, alice, kept, "1.0.0");
      report(producer, topic, alice, kept, "1.2.3"); // the later report wins
      report(producer, topic, alice, silent, "1.2.9");
      report(producer, topic, alice, newer, "2.0");
      report(producer, topic, bob, bobs, "1.2.5");

      // The projection creates the collection when it starts; then every device is found by its firmware.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          ids(search(node, alice, Map.of("q", "reported.fw:1.2*"))).equals(Set.of(kept, silent)));
      assertEquals(Set.of(bobs), ids(search(node, bob, Map.of("q", "reported.fw:1.2*"))), "bob's only");
      assertEquals(Set.of(newer), ids(search(node, alice, Map.of("q", "reported.fw:2.0"))), "an exact value");
      assertEquals(Set.of(), ids(search(node, alice, Map.of("q", "reported.fw:1.0.0"))), "the older report is gone");
      assertEquals(Set.of(kept, silent, newer), ids(search(node, alice, Map.of())), "all of alice's");
      var found = json.readTree(search(node, alice, Map.of("q", "reported.fw:2*")).body()).path("devices").get(0);
      assertEquals("2.0", found.path("reported").path("fw").asText(), found::toString);

      // Presence: all go offline after 3 s without a frame; the kept device then sends a heartbeat at every poll, so
      // it is online again and stays so.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          ids(search(node, alice, Map.of("online", "true"))).isEmpty());
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
        heartbeat(producer, topic, alice, kept);
        return ids(search(node, alice, Map.of("q", "reported.fw:1.2*", "online", "true"))).equals(Set.of(kept));
      });
      assertEquals(Set.of(silent), ids(search(node, alice, Map.of("q", "reported.fw:1.2*", "online", "false"))));
      assertEquals(Set.of(), ids(search(node, bob, Map.of("online", "true"))), "bob's device is offline");

      // Bad parameters: 400; no token: 401.
      for (var bad : List.of(Map.of("q", "owner:" + bob), Map.of("q", "reported.fw"), Map.of("online", "maybe"),
          Map.of("limit", "0"))) {
        var response = search(node, alice, bad);
        assertEquals(400, response.statusCode(), bad::toString);
        assertTrue(json.readTree(response.body()).path("error").asText().length() > 0, response::body);
      }
      assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/v1/devices")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  private static void report(KafkaProducer<String, byte[]> producer, String topic, String user, String device,
      String firmware) throws Exception {
    produce(producer, topic, user, device, ClientFrame.newBuilder().setReportState(ReportState.newBuilder()
        .putReported("fw", firmware)));
  }

  private static void heartbeat(KafkaProducer<String, byte[]> producer, String topic, String user, String device)
      throws Exception {
    produce(producer, topic, user, device, ClientFrame.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()));
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, String user, String device,
      ClientFrame.Builder frame) throws Exception {
    var id = UUID.randomUUID().toString();
    var record = IngressRecord.newBuilder().setMessageId(id).setUserId(user).setDeviceId(device)
        .setReceivedAtMs(System.currentTimeMillis()).setTransport(Transport.WEBSOCKET)
        .setFrame(frame.setMessageId(id)).build();
    producer.send(new ProducerRecord<>(topic, user, record.toByteArray())).get();
  }

  private static HttpResponse<String> search(HeraldNode node, String user, Map<String, String> params)
      throws Exception {
    var query = new StringBuilder();
    params.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/devices"
        + query)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The device ids of a 200 answer; anything else fails the caller's condition. */
  private static Set<String> ids(HttpResponse<String> response) throws Exception {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("search answered " + response.statusCode() + ": " + response.body());
    }
    var ids = new TreeSet<String>();
    var devices = new ArrayList<JsonNode>();
    json.readTree(response.body()).path("devices").forEach(devices::add);
    devices.forEach(device -> ids.add(device.path("device_id").asText()));
    return ids;
  }
}
