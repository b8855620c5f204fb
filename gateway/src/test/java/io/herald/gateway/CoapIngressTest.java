package io.herald.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST coap://HOST:PORT/v1/messages} against a real Kafka broker, with Californium's own client: the ack comes
 * after Kafka acked and the record is in the topic; each nack the gateway gives has its CoAP code and a
 * {@code ServerFrame(nack)} payload.
 */
@ExtendWith(InfraExtension.class)
class CoapIngressTest {

  private static final String SECRET = "coap-ingress-test-secret-of-32-bytes-or-more";
  private static final int BURST = 3;

  private static RunningGateway gateway;
  private static int coapPort;
  private static Kafka kafka;

  private CoapEndpoint clientEndpoint;

  @BeforeAll
  static void start(Kafka broker) throws Exception {
    // The global registry only counts with a registry in it (the node adds Prometheus's).
    Metrics.addRegistry(new SimpleMeterRegistry());
    kafka = broker;
    IngressTopic.create(kafka);
    gateway =
        RunningGateway.start(
            "coap-ingress-test",
            Map.of(
                "herald.auth.jwt-secret", SECRET,
                "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
                "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s",
                "herald.gateway.limits.device-burst", BURST,
                // No refill during a test: exactly BURST frames per device are admitted.
                "herald.gateway.limits.device-frames-per-second", 0.01));
    coapPort = gateway.coapPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @BeforeEach
  void newClientEndpoint() {
    CoapConfig.register();
    UdpConfig.register();
    // Without a file: the standard configuration would write Californium3.properties into the working directory.
    clientEndpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
  }

  @AfterEach
  void destroyClientEndpoint() {
    clientEndpoint.destroy();
  }

  @Test
  void aConfirmablePostIsAnsweredChangedWithTheAckAfterKafkaAcked() throws Exception {
    String userId = "user-" + UUID.randomUUID();
    ClientFrame frame = telemetry();
    CoapResponse response = post(token(userId, "sensor-1"), frame.toByteArray(), false);

    assertEquals(ResponseCode.CHANGED, response.getCode());
    assertEquals(ServerFrames.ack(frame.getMessageId()), ServerFrame.parseFrom(response.getPayload()));
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(Set.of(frame.getMessageId()), Duration.ofSeconds(30));
    }
  }

  @Test
  void aNonConfirmablePostIsProducedBestEffortAndCounted() throws Exception {
    ClientFrame frame = telemetry();
    double before = nonConfirmableCount();
    CoapResponse response = post(token("user-" + UUID.randomUUID(), "sensor-1"), frame.toByteArray(), true);
    // On loopback the non-confirmable response arrives too; on a real network it may not.
    assertEquals(ResponseCode.CHANGED, response.getCode());
    assertEquals(before + 1, nonConfirmableCount());
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(Set.of(frame.getMessageId()), Duration.ofSeconds(30));
    }
  }

  @Test
  void aRetransmittedConfirmablePostIsProducedOnce() throws Exception {
    String userId = "user-" + UUID.randomUUID();
    ClientFrame frame = telemetry();
    Request request = Request.newPost();
    request.setURI("coap://127.0.0.1:" + coapPort + "/v1/messages?access_token=" + token(userId, "sensor-1"));
    request.setPayload(frame.toByteArray());
    request.setMID(4242);
    request.setToken(new byte[] {4, 2, 4, 2});
    byte[] datagram = new UdpDataSerializer().serializeRequest(request).getBytes();

    // The same CON message twice, as a client whose ACK got lost retransmits it: same message id, same source.
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 2; i++) {
        socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), coapPort));
      }
      ClientFrame later = telemetry();
      assertEquals(ResponseCode.CHANGED, post(token(userId, "sensor-1"), later.toByteArray(), false).getCode());
      try (IngressTopic topic = IngressTopic.reader(kafka)) {
        topic.awaitMessageIds(Set.of(frame.getMessageId(), later.getMessageId()), Duration.ofSeconds(30));
        assertEquals(1, topic.copiesOf(frame.getMessageId()), "CoAP deduplication dropped the retransmission");
      }
    }
  }

  @Test
  void aFrameUpToTheLimitIsTransferredBlockWiseAndAcked() throws Exception {
    String messageId = "at-limit-" + UUID.randomUUID();
    int overhead = telemetryWithRaw(messageId, 60_000).getSerializedSize() - 60_000; // same varint widths
    ClientFrame atLimit = telemetryWithRaw(messageId, 64 * 1024 - overhead);
    assertEquals(64 * 1024, atLimit.getSerializedSize());

    CoapResponse response = post(token("user-" + UUID.randomUUID(), "camera-1"), atLimit.toByteArray(), false);
    assertEquals(ResponseCode.CHANGED, response.getCode());
    assertEquals(ServerFrames.ack(atLimit.getMessageId()), ServerFrame.parseFrom(response.getPayload()));
  }

  @Test
  void aFrameOverTheLimitIs413TooLarge() throws Exception {
    ClientFrame tooLarge = telemetryWithRaw("too-large", 64 * 1024);
    assertTrue(tooLarge.getSerializedSize() > 64 * 1024);

    CoapResponse response = post(token("user-" + UUID.randomUUID(), "camera-1"), tooLarge.toByteArray(), false);
    Nack nack = assertNack(response, ResponseCode.REQUEST_ENTITY_TOO_LARGE, NackCode.TOO_LARGE);
    assertEquals("too-large", nack.getMessageId());
  }

  @Test
  void noForgedOrExpiredTokenIs401Unauthorized() throws Exception {
    byte[] frame = telemetry().toByteArray();
    Nack missing = assertNack(post(null, frame, false), ResponseCode.UNAUTHORIZED, NackCode.UNAUTHORIZED);
    assertTrue(missing.getDetail().startsWith("missing token"), missing.getDetail());

    String forged = Tokens.mint("not-the-gateways-secret", "user-1", "sensor-1", Duration.ofHours(1));
    Nack bad = assertNack(post(forged, frame, false), ResponseCode.UNAUTHORIZED, NackCode.UNAUTHORIZED);
    assertTrue(bad.getDetail().startsWith("token signature is not valid"), bad.getDetail());

    String expired =
        Tokens.mint(SECRET, "user-1", "sensor-1", Duration.ofHours(1), Instant.now().minus(Duration.ofHours(2)));
    assertNack(post(expired, frame, false), ResponseCode.UNAUTHORIZED, NackCode.UNAUTHORIZED);
  }

  @Test
  void bytesThatDoNotDecodeOrBreakARuleOrAHelloAre400Invalid() throws Exception {
    String token = token("user-" + UUID.randomUUID(), "sensor-1");
    byte[] whole = telemetryWithRaw("cut-short", 10).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
    Nack undecodable = assertNack(post(token, cut, false), ResponseCode.BAD_REQUEST, NackCode.INVALID);
    assertEquals("cut-short", undecodable.getMessageId());

    byte[] noMessageId = ClientFrame.newBuilder().setTelemetry(Telemetry.getDefaultInstance()).build().toByteArray();
    Nack invalid = assertNack(post(token, noMessageId, false), ResponseCode.BAD_REQUEST, NackCode.INVALID);
    assertEquals("message_id is empty", invalid.getDetail());

    byte[] hello = ClientFrame.newBuilder().setMessageId("h").setHello(Hello.getDefaultInstance()).build().toByteArray();
    assertNack(post(token, hello, false), ResponseCode.BAD_REQUEST, NackCode.INVALID);
  }

  @Test
  void setDesiredForAnUnknownDeviceIs404UnknownDeviceAndForAnotherUsersIs403Forbidden() throws Exception {
    String userId = "user-" + UUID.randomUUID();
    String token = token(userId, "phone-1");
    Nack unknown = assertNack(post(token, desired("lamp-nobody-owns").toByteArray(), false),
        ResponseCode.NOT_FOUND, NackCode.UNKNOWN_DEVICE);
    assertTrue(unknown.getDetail().contains("not known"), unknown.getDetail());
    Nack forbidden = assertNack(post(token, desired(OwnerInDeviceId.deviceOf("someone-else", "lamp")).toByteArray(), false),
        ResponseCode.FORBIDDEN, NackCode.FORBIDDEN);
    assertTrue(forbidden.getDetail().contains("another user"), forbidden.getDetail());
    assertEquals(ResponseCode.CHANGED,
        post(token, desired(OwnerInDeviceId.deviceOf(userId, "lamp")).toByteArray(), false).getCode());
  }

  private static ClientFrame desired(String deviceId) {
    return ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
        .setSetDesired(io.herald.protocol.device.v1.SetDesired.newBuilder().setDeviceId(deviceId).putDesired("on", "1"))
        .build();
  }

  @Test
  void framesOverTheDeviceBurstAre503RetryLaterWithMaxAge() throws Exception {
    String token = token("user-" + UUID.randomUUID(), "sensor-1");
    for (int i = 0; i < BURST; i++) {
      assertEquals(ResponseCode.CHANGED, post(token, telemetry().toByteArray(), false).getCode());
    }
    CoapResponse response = post(token, telemetry().toByteArray(), false);
    Nack nack = assertNack(response, ResponseCode.SERVICE_UNAVAILABLE, NackCode.RETRY_LATER);
    assertTrue(nack.getRetryAfterMs() > 0, nack.toString());
    assertTrue(nack.getDetail().startsWith("device rate limit"), nack.getDetail());
    long maxAge = response.getOptions().getMaxAge();
    assertEquals((nack.getRetryAfterMs() + 999) / 1000, maxAge, "Max-Age = retry-after in whole seconds, rounded up");
  }

  private static double nonConfirmableCount() {
    Counter counter = Metrics.globalRegistry.find("herald.gateway.coap.non.confirmable").counter();
    return counter == null ? 0 : counter.count();
  }

  private CoapResponse post(String token, byte[] payload, boolean nonConfirmable) throws Exception {
    String uri = "coap://127.0.0.1:" + coapPort + "/v1/messages" + (token == null ? "" : "?access_token=" + token);
    CoapClient client = new CoapClient(uri);
    try {
      client.setEndpoint(clientEndpoint);
      client.setTimeout(30_000L);
      if (nonConfirmable) {
        client.useNONs();
      }
      CoapResponse response = client.post(payload, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
      assertNotNull(response, "no CoAP response within 30 s");
      return response;
    } finally {
      client.shutdown();
    }
  }

  private static Nack assertNack(CoapResponse response, ResponseCode coapCode, NackCode nackCode) throws Exception {
    assertEquals(coapCode, response.getCode());
    ServerFrame frame = ServerFrame.parseFrom(response.getPayload());
    assertTrue(frame.hasNack(), frame.toString());
    assertEquals(nackCode, frame.getNack().getCode());
    return frame.getNack();
  }

  private static String token(String userId, String deviceId) {
    return Tokens.mint(SECRET, userId, deviceId, Duration.ofHours(1));
  }

  private static ClientFrame telemetry() {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5))
        .build();
  }

  private static ClientFrame telemetryWithRaw(String messageId, int rawBytes) {
    return ClientFrame.newBuilder()
        .setMessageId(messageId)
        .setTelemetry(Telemetry.newBuilder().setRaw(ByteString.copyFrom(new byte[rawBytes])))
        .build();
  }
}
