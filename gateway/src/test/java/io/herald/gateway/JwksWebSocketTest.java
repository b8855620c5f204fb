package io.herald.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import io.herald.gateway.auth.JwksIssuer;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway that accepts an identity provider's tokens (JWKS served by a real HTTP server in the test), through its
 * real WebSocket endpoint, REST reads and CoAP endpoint, against a real Kafka: what a device with such a token sees.
 */
@ExtendWith(InfraExtension.class)
class JwksWebSocketTest {

  private static final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private static JwksIssuer issuer;
  private static JwksIssuer.Key key;
  private static RunningGateway gateway;
  private static int port;

  @BeforeAll
  static void start(Kafka kafka) throws Exception {
    Metrics.addRegistry(metrics);
    IngressTopic.create(kafka);
    issuer = new JwksIssuer();
    key = issuer.publishRsa("rsa-1");
    gateway = RunningGateway.start("jwks-websocket-test", Map.of(
        // JWKS only: no HS256 secret.
        "herald.auth.jwt-secret", "",
        "herald.gateway.auth.jwks.url", issuer.url().toString(),
        "herald.gateway.auth.jwks.issuer", JwksIssuer.ISSUER,
        "herald.gateway.auth.jwks.audience", JwksIssuer.AUDIENCE,
        // Every unknown key fetches again: the rotation below needs no wait.
        "herald.gateway.auth.jwks.min-refetch-interval", "0 s",
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s"));
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (issuer != null) {
      issuer.close();
    }
    Metrics.removeRegistry(metrics);
  }

  @Test
  void aDeviceWithTheIssuersTokenIsAckedByKafka() {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(key))) {
      assertAcked(client);
    }
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedWith401AndCounted() throws Exception {
    double before = refused("invalid_claim");
    String otherAudience = JwksIssuer.sign(
        JwksIssuer.claims(newUserId(), "phone", Instant.now()).withAudience("another-service"), key);

    assertRefusedWith401(otherAudience, "token's 'aud' claim is not valid");
    assertEquals(before + 2, refused("invalid_claim"), "the upgrade and the plain request were both counted");
  }

  @Test
  void aTokenSignedWithAnUnpublishedKeyIsRefusedWith401() throws Exception {
    assertRefusedWith401(token(JwksIssuer.ec("not-published")), "token's signing key is not one the issuer publishes");
  }

  @Test
  void aKeyTheIssuerPublishesAfterTheGatewayStartedIsAccepted() {
    JwksIssuer.Key rotated = issuer.publishEc("ec-rotated-" + UUID.randomUUID());
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token(rotated))) {
      assertAcked(client);
    }
  }

  @Test
  void aCoapFrameWithATokenOfANewlyPublishedKeyWaitsForTheKeysAndIsAcked(Kafka kafka) throws Exception {
    int fetchesBefore = issuer.fetches();
    // A CoAP Uri-Query option holds at most 255 bytes: only an issuer with short names makes tokens that fit.
    try (RunningGateway shortNames = RunningGateway.start("jwks-coap-test", Map.of(
        "herald.auth.jwt-secret", "",
        "herald.gateway.auth.jwks.url", issuer.url().toString(),
        "herald.gateway.auth.jwks.issuer", "i",
        "herald.gateway.auth.jwks.audience", "a",
        "herald.gateway.auth.jwks.min-refetch-interval", "0 s",
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s"))) {
      int coapPort = shortNames.coapPort();
      // Published after this gateway's first fetch: the frame's token names a key it does not know yet.
      await().atMost(Duration.ofSeconds(10)).until(() -> issuer.fetches() > fetchesBefore);
      JwksIssuer.Key rotated = issuer.publishEc("c1");
      ClientFrame frame = ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
          .setTelemetry(Telemetry.newBuilder().putReadings("t", 20.5)).build();

      CoapResponse accepted = coapPost(coapPort, shortToken(rotated), frame);
      assertEquals(CoAP.ResponseCode.CHANGED, accepted.getCode());
      assertEquals(ServerFrames.ack(frame.getMessageId()), ServerFrame.parseFrom(accepted.getPayload()));

      CoapResponse refused = coapPost(coapPort, shortToken(JwksIssuer.ec("x1")), frame);
      assertEquals(CoAP.ResponseCode.UNAUTHORIZED, refused.getCode());
      assertEquals(NackCode.UNAUTHORIZED, ServerFrame.parseFrom(refused.getPayload()).getNack().getCode());
    }
  }

  private static String shortToken(JwksIssuer.Key key) {
    return JWT.create().withIssuer("i").withAudience("a").withSubject("u1")
        .withClaim("device", "d").withExpiresAt(Instant.now().plusSeconds(600)).withKeyId(key.kid())
        .sign(key.signer());
  }

  @Test
  void aRestReadWithAnExpiredTokenIsRefusedWith401() throws Exception {
    Instant longAgo = Instant.now().minusSeconds(7200);
    String expired = JwksIssuer.sign(JwksIssuer.claims(newUserId(), "phone", longAgo), key);

    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/devices/phone/shadow"))
            .header("Authorization", "Bearer " + expired).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertTrue(response.body().startsWith("{\"error\":\"token expired at "), response.body());
  }

  private static void assertRefusedWith401(String token, String reason) throws Exception {
    Map<String, String> headers = Map.of("Authorization", "Bearer " + token);
    CompletionException refused = assertThrows(CompletionException.class,
        () -> WebSocketTestClient.connect(WebSocketTestClient.uri(port), headers).join());
    assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause())
        .getResponse().statusCode());
    // The JDK client does not expose the refusal's body; a plain request to the same endpoint shows it.
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ws"))
            .header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertEquals(reason, response.body());
  }

  private static void assertAcked(WebSocketTestClient client) {
    ClientFrame frame = ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
        .setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5)).build();
    client.send(frame);
    assertEquals(ServerFrames.ack(frame.getMessageId()), client.next());
  }

  private static CoapResponse coapPost(int coapPort, String token, ClientFrame frame) throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    // Without a file: the standard configuration would write Californium3.properties into the working directory.
    CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile())
        .build();
    CoapClient client = new CoapClient("coap://127.0.0.1:" + coapPort + "/v1/messages?access_token=" + token);
    try {
      client.setEndpoint(endpoint);
      client.setTimeout(30_000L);
      CoapResponse response = client.post(frame.toByteArray(), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
      assertNotNull(response, "no CoAP response within 30 s");
      return response;
    } finally {
      client.shutdown();
      endpoint.destroy();
    }
  }

  private static double refused(String reason) {
    Counter counter = Metrics.globalRegistry.find("herald.gateway.tokens.refused").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static String token(JwksIssuer.Key signer) {
    return JwksIssuer.sign(JwksIssuer.claims(newUserId(), "phone", Instant.now()), signer);
  }

  private static String newUserId() {
    return "user-" + UUID.randomUUID();
  }
}
