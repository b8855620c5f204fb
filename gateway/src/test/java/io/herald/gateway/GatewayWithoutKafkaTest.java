package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.device.v1.Welcome;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway on a plain (non-cluster) ActorSystem with a Kafka that is not there: the producer is real, it just
 * never reaches a broker. Covers what must hold when Kafka does not take frames, and the session's own limits.
 */
class GatewayWithoutKafkaTest {

  private static final String SECRET = "gateway-without-kafka-secret-of-32-bytes-or-more";

  private static Config config;
  private static RunningGateway gateway;
  private static ActorSystem<Void> system;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    gateway = RunningGateway.start("gateway-without-kafka", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", "127.0.0.1:" + portNobodyListensOn(),
        "herald.gateway.websocket.max-in-flight", 1,
        "herald.gateway.websocket.idle-timeout", "3 s",
        // Without a broker, send() fails after max.block.ms waiting for the topic's metadata.
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "1500"));
    system = gateway.system;
    config = system.settings().config();
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void aFrameKafkaDoesNotTakeIsAnsweredRetryLaterAndTheConnectionStaysOpen() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-1"))) {
      client.send(telemetry("m-1"));

      Nack nack = client.next().getNack();
      assertEquals("m-1", nack.getMessageId());
      assertEquals(NackCode.RETRY_LATER, nack.getCode());
      assertEquals(1000, nack.getRetryAfterMs());
      // send() waits for metadata up to max.block.ms (1.5 s), longer than the answer bound (1 s): the client is
      // answered at the bound.
      assertTrue(nack.getDetail().startsWith("Kafka did not acknowledge the frame within 1000 ms"), nack.getDetail());

      client.send(ClientFrame.newBuilder().setMessageId("m-2").setHello(Hello.newBuilder().setLastSeq(5)).build());
      Welcome welcome = client.next().getWelcome();
      assertEquals("user-1", welcome.getUserId());
      assertEquals("device-1", welcome.getDeviceId());
      assertEquals(5, welcome.getResumedFromSeq());
    }
  }

  @Test
  void aFrameBeyondTheInFlightLimitIsAnsweredRetryLaterAtOnce() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-2"))) {
      client.send(telemetry("waiting"));
      client.send(telemetry("beyond-limit"));

      // The first frame waits for Kafka (max.block.ms); the second is refused without waiting for it.
      ServerFrame first = client.next();
      assertEquals("beyond-limit", first.getNack().getMessageId());
      assertEquals(NackCode.RETRY_LATER, first.getNack().getCode());
      assertTrue(first.getNack().getDetail().startsWith("more than 1 frames"), first.getNack().getDetail());

      ServerFrame second = client.next();
      assertEquals("waiting", second.getNack().getMessageId());
      assertEquals(NackCode.RETRY_LATER, second.getNack().getCode());
    }
  }

  @Test
  void anIdleSessionIsClosedNormallyAfterALastFrameThatSaysWhy() throws Exception {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-3"))) {
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
      assertTrue(client.next().hasWelcome());

      // Nothing more is sent: the server closes after idle-timeout (3 s), saying why first.
      Nack farewell = client.next().getNack();
      assertEquals(NackCode.RETRY_LATER, farewell.getCode());
      assertEquals("", farewell.getMessageId());
      assertTrue(farewell.getDetail().startsWith("no message for 3 s"), farewell.getDetail());
      int status = client.closedByServer().get(WebSocketTestClient.REPLY_TIMEOUT.toSeconds(), SECONDS);
      assertEquals(WebSocket.NORMAL_CLOSURE, status);
    }
  }

  @Test
  void aPingIsAnsweredWithItsDataAndTheClientsCloseIsAnswered() throws Exception {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-4"))) {
      ByteBuffer pong = client.ping("are you there".getBytes(StandardCharsets.UTF_8)).get(10, SECONDS);
      assertEquals("are you there", StandardCharsets.UTF_8.decode(pong).toString());
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
      assertTrue(client.next().hasWelcome());

      // The client's close ends the session's input; the session ends and the server answers with its close, not
      // with the idle close (3 s later, after a last frame).
      client.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      assertEquals(WebSocket.NORMAL_CLOSURE, client.closedByServer().get(10, SECONDS));
      assertNull(client.poll(), "the session was closed as idle, not by the client's close");
    }
  }

  @Test
  void aCloseWithAnErrorCodeIsAnsweredWithTheSameCode() throws Exception {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-5"))) {
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
      assertTrue(client.next().hasWelcome());

      client.sendClose(4000, "client gave up");
      assertEquals(4000, client.closedByServer().get(10, SECONDS));
    }
  }

  @Test
  void theGatewayRefusesToStartWithoutJwtSecret() {
    Config withoutSecret = config.withValue("herald.auth.jwt-secret", ConfigValueFactory.fromAnyRef(""));

    ConfigException refused = assertThrows(ConfigException.class, () -> Gateway.start(system, withoutSecret));
    assertTrue(refused.getMessage().contains("herald.auth.jwt-secret"), refused.getMessage());
  }

  @Test
  void theGatewayRefusesToStartWithAnHs256SecretShorterThan32Bytes() {
    Config shortSecret = config.withValue("herald.auth.jwt-secret",
        ConfigValueFactory.fromAnyRef("only-thirty-one-bytes-long-0123"));

    ConfigException refused = assertThrows(ConfigException.class, () -> Gateway.start(system, shortSecret));
    assertTrue(refused.getMessage().contains("herald.auth.jwt-secret"), refused.getMessage());
    assertTrue(refused.getMessage().contains("is 31 bytes long: an HS256 secret must have at least 32 bytes"),
        refused.getMessage());
    assertFalse(refused.getMessage().contains("only-thirty-one"), "the secret is not quoted");
  }

  @Test
  void theGatewayRefusesToStartWithAJwksUrlButNoIssuerOrAudience() {
    Config withoutIssuer = config.withValue("herald.gateway.auth.jwks.url",
        ConfigValueFactory.fromAnyRef("https://idp.example.com/jwks"));

    ConfigException refused = assertThrows(ConfigException.class, () -> Gateway.start(system, withoutIssuer));
    assertTrue(refused.getMessage().contains("issuer"), refused.getMessage());
  }

  private static String token(String deviceId) {
    return Tokens.mint(SECRET, "user-1", deviceId, Duration.ofHours(1));
  }

  private static ClientFrame telemetry(String messageId) {
    return ClientFrame.newBuilder()
        .setMessageId(messageId)
        .setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5))
        .build();
  }

  private static int portNobodyListensOn() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
