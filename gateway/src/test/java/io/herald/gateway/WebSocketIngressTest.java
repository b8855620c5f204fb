package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ChatRead;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.device.v1.Welcome;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket endpoint against a real Kafka broker: what a device sees, and what lands on {@code herald.ingress}.
 * One gateway for the class; each test uses its own user id, so tests find their own records.
 */
@ExtendWith(InfraExtension.class)
class WebSocketIngressTest {

  private static final String SECRET = "websocket-ingress-test-secret-of-32-bytes-or-more";
  private static final String TOPIC = IngressTopic.NAME;
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  private static RunningGateway gateway;
  private static int port;
  private static KafkaConsumer<String, byte[]> consumer;
  private static final List<ConsumerRecord<String, byte[]>> consumed = new ArrayList<>();

  @BeforeAll
  static void start(Kafka kafka) throws Exception {
    IngressTopic.create(kafka);
    gateway =
        RunningGateway.start(
            "websocket-ingress-test",
            Map.of(
                "herald.auth.jwt-secret", SECRET,
                "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
                // The default 500 ms is for production; on a busy test machine the very first metadata
                // round trip may take longer, and these tests are about the acked path.
                "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
                "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s"));
    port = gateway.httpPort();

    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(TOPIC).stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  @AfterAll
  static void stop() throws Exception {
    if (consumer != null) {
      consumer.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void helloIsWelcomedAndTelemetryIsAckedAndLandsInKafkaIntact() throws Exception {
    String userId = newUserId();
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(userId, "device-1"))) {
      String helloId = UUID.randomUUID().toString();
      client.send(ClientFrame.newBuilder().setMessageId(helloId).setHello(Hello.newBuilder().setLastSeq(0)).build());
      Welcome welcome = client.next().getWelcome();
      assertEquals(userId, welcome.getUserId());
      assertEquals("device-1", welcome.getDeviceId());
      assertEquals(0, welcome.getResumedFromSeq());
      assertTrue(welcome.getServerTimeMs() > 0);

      ClientFrame telemetry =
          ClientFrame.newBuilder()
              .setMessageId(UUID.randomUUID().toString())
              .setSentAtMs(1_700_000_000_000L)
              .setTelemetry(
                  Telemetry.newBuilder()
                      .putReadings("temp", 21.5)
                      .putReadings("hum", 40)
                      .setRaw(ByteString.copyFromUtf8("raw-bytes")))
              .build();
      client.send(telemetry);
      assertEquals(ServerFrames.ack(telemetry.getMessageId()), client.next());

      List<ConsumerRecord<String, byte[]>> records = recordsOf(userId, 1);
      ConsumerRecord<String, byte[]> record = records.get(0);
      // The hello went before the telemetry on the same partition: had it been produced, it would come first.
      assertEquals(1, records.size(), "only the telemetry goes to Kafka");
      assertEquals(userId, record.key());
      assertEquals(telemetry.getMessageId(), header(record, IngressProducer.MESSAGE_ID_HEADER));
      assertEquals(userId, header(record, IngressProducer.USER_HEADER));
      assertEquals("device-1", header(record, IngressProducer.DEVICE_HEADER));
      assertTrue(
          header(record, IngressProducer.TRACEPARENT_HEADER).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"),
          header(record, IngressProducer.TRACEPARENT_HEADER));

      IngressRecord value = IngressRecord.parseFrom(record.value());
      assertEquals(telemetry.getMessageId(), value.getMessageId());
      assertEquals(userId, value.getUserId());
      assertEquals("device-1", value.getDeviceId());
      assertEquals(Transport.WEBSOCKET, value.getTransport());
      assertTrue(value.getReceivedAtMs() > 0);
      assertEquals(telemetry, value.getFrame());
    }
  }

  @Test
  void everyKindOfFrameIsAckedAndLandsInKafkaInTheOrderSent() throws Exception {
    String userId = newUserId();
    List<ClientFrame> frames = new ArrayList<>();
    frames.add(frame().setHeartbeat(Heartbeat.getDefaultInstance()).build());
    frames.add(frame().setTelemetry(Telemetry.newBuilder().putReadings("temp", 20)).build());
    frames.add(frame().setReportState(ReportState.newBuilder().putReported("mode", "eco")).build());
    // Another device of the same user (its Device entity says so).
    frames.add(frame().setSetDesired(SetDesired.newBuilder().setDeviceId(OwnerInDeviceId.deviceOf(userId, "lamp-7"))
        .putDesired("on", "true")).build());
    frames.add(
        frame()
            .setCreateConversation(CreateConversation.newBuilder().setConversationId("c-1").addMemberUserIds("u-2"))
            .build());
    frames.add(frame().setChatSend(ChatSend.newBuilder().setConversationId("c-1").setText("hello")).build());
    frames.add(frame().setChatRead(ChatRead.newBuilder().setConversationId("c-1").setUpToSeq(1)).build());
    frames.add(frame().setPushAck(PushAck.newBuilder().setUpToSeq(0)).build());
    for (int i = 0; i < 24; i++) {
      frames.add(frame().setTelemetry(Telemetry.newBuilder().putReadings("n", i)).build());
    }

    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(userId, "phone-1"))) {
      // All at once, without waiting for acks: they are in flight together.
      frames.forEach(client::send);
      Set<ServerFrame> replies = new HashSet<>();
      for (int i = 0; i < frames.size(); i++) {
        replies.add(client.next());
      }
      assertEquals(frames.stream().map(f -> ServerFrames.ack(f.getMessageId())).collect(Collectors.toSet()), replies);
    }

    List<ConsumerRecord<String, byte[]>> records = recordsOf(userId, frames.size());
    List<ClientFrame> inKafka = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      IngressRecord value = IngressRecord.parseFrom(record.value());
      assertEquals("phone-1", value.getDeviceId());
      inKafka.add(value.getFrame());
    }
    assertEquals(frames, inKafka);
  }

  @Test
  void theTraceOfTheUpgradeRequestContinuesInKafka() throws Exception {
    String userId = newUserId();
    String callerTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    WebSocketTestClient client =
        WebSocketTestClient.connect(
                WebSocketTestClient.uri(port),
                Map.of("Authorization", "Bearer " + token(userId, "device-1"), "traceparent", callerTrace))
            .join();
    try (client) {
      assertAcked(client, telemetry());
    }

    String traceparent = header(recordsOf(userId, 1).get(0), IngressProducer.TRACEPARENT_HEADER);
    assertTrue(traceparent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), traceparent);
    assertNotEquals(callerTrace, traceparent, "the gateway's span is a child of the caller's");
  }

  @Test
  void aTokenInTheQueryParameterIsAccepted() {
    String token = URLEncoder.encode(token(newUserId(), "device-1"), StandardCharsets.UTF_8);
    URI uri = URI.create(WebSocketTestClient.uri(port) + "?access_token=" + token);
    try (WebSocketTestClient client = WebSocketTestClient.connect(uri, Map.of()).join()) {
      assertAcked(client, telemetry());
    }
  }

  @Test
  void bytesThatDoNotDecodeAreInvalidAndTheConnectionStaysOpen() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(newUserId(), "device-1"))) {
      byte[] whole = frame().setMessageId("cut-short").setTelemetry(Telemetry.newBuilder().putReadings("t", 1))
          .build().toByteArray();
      client.sendBytes(Arrays.copyOf(whole, whole.length - 3));

      Nack nack = client.next().getNack();
      assertEquals(NackCode.INVALID, nack.getCode());
      assertEquals("cut-short", nack.getMessageId());
      assertTrue(nack.getDetail().startsWith("not a ClientFrame"), nack.getDetail());

      assertAcked(client, telemetry());
    }
    assertServesAGoodClient();
  }

  @Test
  void aFrameBreakingAValidationRuleIsInvalidAndTheConnectionStaysOpen() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(newUserId(), "device-1"))) {
      client.send(ClientFrame.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
      Nack noMessageId = client.next().getNack();
      assertEquals(NackCode.INVALID, noMessageId.getCode());
      assertEquals("message_id is empty", noMessageId.getDetail());

      client.send(frame().setMessageId("no-device").setSetDesired(SetDesired.newBuilder().putDesired("a", "b")).build());
      Nack noDevice = client.next().getNack();
      assertEquals(NackCode.INVALID, noDevice.getCode());
      assertEquals("no-device", noDevice.getMessageId());

      assertAcked(client, telemetry());
    }
  }

  @Test
  void setDesiredForAnUnknownDeviceIsUnknownDeviceAndForAnotherUsersIsForbiddenAndNothingIsProduced() {
    String userId = newUserId();
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(userId, "phone-1"))) {
      client.send(desired("for-nobody", "lamp-nobody-owns"));
      Nack unknown = client.next().getNack();
      assertEquals(NackCode.UNKNOWN_DEVICE, unknown.getCode());
      assertEquals("for-nobody", unknown.getMessageId());

      client.send(desired("for-a-stranger", OwnerInDeviceId.deviceOf("someone-else", "lamp")));
      Nack forbidden = client.next().getNack();
      assertEquals(NackCode.FORBIDDEN, forbidden.getCode());
      assertEquals("for-a-stranger", forbidden.getMessageId());

      // The connection stays open, and the user's own device may be set.
      ClientFrame own = desired("for-my-lamp", OwnerInDeviceId.deviceOf(userId, "lamp"));
      assertAcked(client, own);
      // Only the owner's frame reached Kafka.
      assertEquals(List.of("for-my-lamp"), recordsOf(userId, 1).stream().map(r -> messageIdOf(r)).toList());
    }
  }

  private static ClientFrame desired(String messageId, String deviceId) {
    return frame().setMessageId(messageId)
        .setSetDesired(SetDesired.newBuilder().setDeviceId(deviceId).putDesired("on", "true")).build();
  }

  private static String messageIdOf(ConsumerRecord<String, byte[]> record) {
    try {
      return IngressRecord.parseFrom(record.value()).getMessageId();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aFrameOverTheLimitIsTooLargeAndTheConnectionStaysOpen() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(newUserId(), "device-1"))) {
      ClientFrame justTooLarge = telemetryWithRaw("just-too-large", 64 * 1024);
      assertTrue(justTooLarge.getSerializedSize() > 64 * 1024);
      client.send(justTooLarge);
      Nack nack = client.next().getNack();
      assertEquals(NackCode.TOO_LARGE, nack.getCode());
      assertEquals("just-too-large", nack.getMessageId());
      assertAcked(client, telemetry());

      // 1 MiB in 16 KiB fragments: read to its end without being kept, then the connection goes on.
      client.sendFragmented(telemetryWithRaw("huge", 1024 * 1024).toByteArray(), 16 * 1024);
      Nack huge = client.next().getNack();
      assertEquals(NackCode.TOO_LARGE, huge.getCode());
      assertEquals("huge", huge.getMessageId());
      assertAcked(client, telemetry());

      // Exactly at the limit is fine.
      int overhead = telemetryWithRaw("at-limit", 20_000).getSerializedSize() - 20_000; // same varint widths
      ClientFrame atLimit = telemetryWithRaw("at-limit", 64 * 1024 - overhead);
      assertEquals(64 * 1024, atLimit.getSerializedSize());
      assertAcked(client, atLimit);
    }
    assertServesAGoodClient();
  }

  @Test
  void aTextMessageIsInvalidAndTheConnectionStaysOpen() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(newUserId(), "device-1"))) {
      client.sendText("{\"message_id\": \"json\"}");

      Nack nack = client.next().getNack();
      assertEquals(NackCode.INVALID, nack.getCode());
      assertTrue(nack.getDetail().startsWith("text messages are not accepted"), nack.getDetail());

      assertAcked(client, telemetry());
    }
  }

  @Test
  void noTokenIsRefusedWith401() throws Exception {
    assertRefusedWith401(Map.of(), "missing token");
    assertServesAGoodClient();
  }

  @Test
  void aForgedTokenIsRefusedWith401() throws Exception {
    String forged = Tokens.mint("not-the-gateways-secret", newUserId(), "device-1", Duration.ofHours(1));
    assertRefusedWith401(Map.of("Authorization", "Bearer " + forged), "token signature is not valid");
    assertServesAGoodClient();
  }

  @Test
  void anExpiredTokenIsRefusedWith401() throws Exception {
    String expired =
        Tokens.mint(SECRET, newUserId(), "device-1", Duration.ofHours(1), Instant.now().minus(Duration.ofHours(2)));
    assertRefusedWith401(Map.of("Authorization", "Bearer " + expired), "token expired at ");
    assertServesAGoodClient();
  }

  private static void assertRefusedWith401(Map<String, String> headers, String reasonPrefix) throws Exception {
    CompletionException refused =
        assertThrows(
            CompletionException.class, () -> WebSocketTestClient.connect(WebSocketTestClient.uri(port), headers).join());
    WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
    assertEquals(401, handshake.getResponse().statusCode());

    // The JDK client does not expose the refusal's body; a plain request to the same endpoint shows it.
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ws"));
    headers.forEach(request::header);
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertTrue(response.body().startsWith(reasonPrefix), response.body());
    assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
  }

  private static void assertServesAGoodClient() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(newUserId(), "device-ok"))) {
      assertAcked(client, telemetry());
    }
  }

  private static void assertAcked(WebSocketTestClient client, ClientFrame frame) {
    client.send(frame);
    assertEquals(ServerFrames.ack(frame.getMessageId()), client.next());
  }

  /** This user's records, in partition order, once there are at least {@code count} of them. */
  private static List<ConsumerRecord<String, byte[]>> recordsOf(String userId, int count) {
    await()
        .atMost(KAFKA_TIMEOUT)
        .pollInSameThread() // KafkaConsumer is single-threaded
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(consumed::add);
              return consumed.stream().filter(r -> userId.equals(r.key())).count() >= count;
            });
    return consumed.stream()
        .filter(r -> userId.equals(r.key()))
        .sorted(Comparator.comparingLong(ConsumerRecord::offset))
        .toList();
  }

  private static String header(ConsumerRecord<String, byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    assertNotNull(header, "missing header " + key);
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String token(String userId, String deviceId) {
    return Tokens.mint(SECRET, userId, deviceId, Duration.ofHours(1));
  }

  private static String newUserId() {
    return "user-" + UUID.randomUUID();
  }

  private static ClientFrame.Builder frame() {
    return ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString()).setSentAtMs(System.currentTimeMillis());
  }

  private static ClientFrame telemetry() {
    return frame().setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5)).build();
  }

  private static ClientFrame telemetryWithRaw(String messageId, int rawBytes) {
    return ClientFrame.newBuilder()
        .setMessageId(messageId)
        .setTelemetry(Telemetry.newBuilder().setRaw(ByteString.copyFrom(new byte[rawBytes])))
        .build();
  }
}
