package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigValueFactory;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.events.v1.TelemetryRecorded;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.tracing.Tracing;
import io.herald.user.device.DeviceEntity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The walking skeleton through every layer, on real processes: a device's telemetry over WebSocket is acked only
 * after Kafka has it, consumed into its Device entity, persisted to Cassandra and recovered after a node restart; its
 * trace (the gateway's publish span, the consumer's apply span, its persist and outbox children, and a chat message's
 * fan-out) is exported over OTLP.
 */
@ExtendWith(InfraExtension.class)
class WalkingSkeletonTest {

  @Test
  void telemetryIsAckedStoredInCassandraAndRecoveredAfterARestart(Kafka kafka, Cassandra cassandra) throws Exception {
    var collector = OtlpCollector.start();
    var config = TestNodes.withSchema(kafka, cassandra)
        .withValue("herald.tracing.otlp.endpoint", ConfigValueFactory.fromAnyRef(collector.endpoint()))
        .withValue("herald.tracing.otlp.interval", ConfigValueFactory.fromAnyRef("200ms"))
        // Its own ingress topic: every record its node applies is one of this test's frames, so every apply span has
        // the publish span of the gateway that took it (records other classes wrote straight into the shared topic
        // carry no trace, and one left uncommitted would be applied here, in a trace of its own).
        .withValue("herald.kafka.topics.ingress",
            ConfigValueFactory.fromAnyRef("herald.ingress.walking-" + UUID.randomUUID()));
    var user = "u-" + UUID.randomUUID();
    var device = "d-" + UUID.randomUUID();
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10));
    var messageIds = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());

    try (var node = HeraldNode.start(config)) {
      awaitReady(node);
      try (var client = WebSocketTestClient.connect(node.httpPort(), token)) {
        var welcome = client.request(ClientFrame.newBuilder().setMessageId("hello-1").setHello(Hello.newBuilder().setLastSeq(0)).build());
        assertEquals(user, welcome.getWelcome().getUserId());
        assertEquals(device, welcome.getWelcome().getDeviceId());

        for (var i = 0; i < messageIds.size(); i++) {
          var reply = client.request(telemetry(messageIds.get(i), 20.0 + i));
          assertTrue(reply.hasAck(), "expected an ack, got " + reply);
          assertEquals(messageIds.get(i), reply.getAck().getMessageId());
        }
      }

      // The device reports its state; its owner reads the shadow over REST, another user cannot.
      try (var client = WebSocketTestClient.connect(node.httpPort(), token)) {
        assertTrue(client.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setReportState(ReportState.newBuilder().putReported("fw", "1.2"))).hasAck());
      }
      var http = HttpClient.newHttpClient();
      var shadowUri = URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/devices/" + device + "/shadow");
      var shadow = await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(shadowUri)
              .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()),
          response -> response.statusCode() == 200 && response.body().contains("\"fw\""));
      assertTrue(shadow.body().contains("\"online\": true") || shadow.body().contains("\"online\":true"), shadow.body());
      var stranger = Tokens.mint(TestNodes.JWT_SECRET, "someone-else", "their-device", Duration.ofMinutes(10));
      assertEquals(404, http.send(HttpRequest.newBuilder(shadowUri).header("Authorization", "Bearer " + stranger).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(401, http.send(HttpRequest.newBuilder(shadowUri).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

      // set_desired is checked against the Device entity before anything is produced: the owner's app is acked, a
      // stranger is refused FORBIDDEN and an unknown device UNKNOWN_DEVICE.
      try (var app = WebSocketTestClient.connect(node.httpPort(), Tokens.mint(TestNodes.JWT_SECRET, user, "app", Duration.ofMinutes(10)));
          var strangerApp = WebSocketTestClient.connect(node.httpPort(), stranger)) {
        assertTrue(app.request(desired(device)).hasAck());
        assertEquals(NackCode.UNKNOWN_DEVICE, app.request(desired("no-such-device-" + UUID.randomUUID())).getNack().getCode());
        assertEquals(NackCode.FORBIDDEN, strangerApp.request(desired(device)).getNack().getCode());
      }

      // A chat message in a conversation of two: its fan-out to the members is traced below.
      try (var client = WebSocketTestClient.connect(node.httpPort(), token)) {
        var conversation = "c-" + UUID.randomUUID();
        assertTrue(client.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setCreateConversation(CreateConversation.newBuilder().setConversationId(conversation)
                .addMemberUserIds(user).addMemberUserIds("u-" + UUID.randomUUID())).build()).hasAck());
        assertTrue(client.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText("hi")).build()).hasAck());
      }

      // The events reach Cassandra: read them back from the journal table, decoded with the Protobuf schema.
      try (var session = cql(cassandra)) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertEquals(messageIds, storedTelemetryIds(session, device)));
      }

      // Each frame's trace: the gateway's publish span, and the consumer's apply span as its child.
      await().atMost(Duration.ofSeconds(30)).until(() -> collector.spans().stream()
          .filter(span -> span.name().equals(Tracing.APPLY_SPAN)).count() >= messageIds.size());
      // A publish span ends when Kafka acked the record, which may come after the consumer applied it: its export can
      // follow its child's, so each apply's parent is awaited, not expected at once.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var spans = collector.spans();
        for (var apply : spans.stream().filter(span -> span.name().equals(Tracing.APPLY_SPAN)).toList()) {
          var parent = spans.stream().filter(span -> span.spanId().equals(apply.parentSpanId())).findFirst()
              .orElseThrow(() -> new AssertionError("no exported parent of " + apply + " in " + spans));
          assertEquals(Tracing.PUBLISH_SPAN, parent.name());
          assertEquals(parent.traceId(), apply.traceId());
        }
      });
      // Within apply: the entity's persist (every frame: two telemetry, report_state, set_desired, and the chat), and the outbox
      // enqueue of the frames that push (report_state and set_desired tell the owner), each a child of its apply.
      await().atMost(Duration.ofSeconds(30)).until(() -> collector.spans().stream()
          .filter(span -> span.name().equals(Tracing.PERSIST_SPAN)).count() >= messageIds.size() + 2
          && collector.spans().stream().filter(span -> span.name().equals(Tracing.OUTBOX_SPAN)).count() >= 2);
      var withChildren = collector.spans();
      for (var child : withChildren.stream().filter(span -> span.name().equals(Tracing.PERSIST_SPAN)
          || span.name().equals(Tracing.OUTBOX_SPAN)).toList()) {
        var parent = withChildren.stream().filter(span -> span.spanId().equals(child.parentSpanId())).findFirst()
            .orElseThrow(() -> new AssertionError("no exported parent of " + child + " in " + withChildren));
        assertEquals(Tracing.APPLY_SPAN, parent.name(), child + " is a child of apply");
        assertEquals(parent.traceId(), child.traceId());
      }
      // The chat message's fan-out, after the apply replied, is a child of the chat_send's apply span.
      await().atMost(Duration.ofSeconds(30)).until(() -> collector.spans().stream()
          .anyMatch(span -> span.name().equals(Tracing.FAN_OUT_SPAN)));
      var afterFanOut = collector.spans();
      var fanOut = afterFanOut.stream().filter(span -> span.name().equals(Tracing.FAN_OUT_SPAN)).findFirst().orElseThrow();
      var sender = afterFanOut.stream().filter(span -> span.spanId().equals(fanOut.parentSpanId())).findFirst()
          .orElseThrow(() -> new AssertionError("no exported parent of " + fanOut + " in " + afterFanOut));
      assertEquals(Tracing.APPLY_SPAN, sender.name());
      assertEquals(sender.traceId(), fanOut.traceId());
    } finally {
      collector.close();
    }

    // A new node (a restart) recovers the Device from Cassandra.
    try (var restarted = HeraldNode.start(config)) {
      awaitReady(restarted);
      var summary = ClusterSharding.get(restarted.system())
          .entityRefFor(DeviceEntity.ENTITY_KEY, device)
          .<DeviceTelemetry>ask(GetTelemetry::new, Duration.ofSeconds(30))
          .toCompletableFuture().get();
      assertEquals(2, summary.getTelemetryCount());
      assertEquals(user, summary.getOwnerUserId());
      assertEquals(21.0, summary.getReadingsMap().get("temp").getLast());
    }
  }

  static void awaitReady(HeraldNode node) {
    var http = HttpClient.newHttpClient();
    var ready = HttpRequest.newBuilder(URI.create(node.managementUri().replaceAll("/$", "") + "/ready")).build();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
        http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  private static ClientFrame desired(String device) {
    return ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
        .setSetDesired(SetDesired.newBuilder().setDeviceId(device).putDesired("fw", "1.3")).build();
  }

  static ClientFrame telemetry(String messageId, double temp) {
    return ClientFrame.newBuilder().setMessageId(messageId).setSentAtMs(System.currentTimeMillis())
        .setTelemetry(Telemetry.newBuilder().putReadings("temp", temp).setRaw(ByteString.copyFromUtf8("raw"))).build();
  }

  static CqlSession cql(Cassandra cassandra) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter())
        .build();
  }

  static List<String> storedTelemetryIds(CqlSession session, String device) throws Exception {
    var ids = new ArrayList<String>();
    var rows = session.execute("SELECT ser_manifest, event FROM herald.messages WHERE persistence_id = ? AND partition_nr = 0",
        DeviceEntity.persistenceId(device).id());
    for (var row : rows) {
      // The journal also holds the device's presence; the telemetry events are stored under their Protobuf name.
      if ("herald.events.v1.TelemetryRecorded".equals(row.getString("ser_manifest"))) {
        ids.add(TelemetryRecorded.parseFrom(row.getByteBuffer("event")).getMessageId());
      }
    }
    return ids;
  }
}
