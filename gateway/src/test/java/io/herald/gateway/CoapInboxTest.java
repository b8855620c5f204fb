package io.herald.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CoAP downlink: observing /v1/inbox opens a session actor attached to the token's user; the pushes the entity
 * sends it arrive as notifications, in order; cancelling the observation detaches it. The User entities are the seam,
 * recorded here (as in WebSocketDownlinkTest), so no Kafka is needed.
 */
class CoapInboxTest {

  private static final String SECRET = "coap-inbox-test-secret-of-32-bytes-or-more";
  private static final Queue<UserSignal> toUserEntities = new ConcurrentLinkedQueue<>();
  private static RunningGateway gateway;
  private static int coapPort;
  private CoapEndpoint clientEndpoint;

  @BeforeAll
  static void start() throws Exception {
    gateway = RunningGateway.start("coap-inbox-test",
        Map.of("herald.auth.jwt-secret", SECRET, "herald.kafka.bootstrap-servers", "127.0.0.1:9"),
        (userId, signal) -> toUserEntities.add(signal));
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
    clientEndpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
  }

  @AfterEach
  void destroyClientEndpoint() {
    clientEndpoint.destroy();
  }

  @Test
  void anObserverIsWelcomedThenGetsItsUsersPushesInOrderAndCancellingDetaches() throws Exception {
    var client = client("?access_token=" + token("sensor-inbox") + "&last_seq=7");
    BlockingQueue<ServerFrame> notifications = new LinkedBlockingQueue<>();
    var relation = client.observeAndWait(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        try {
          notifications.add(ServerFrame.parseFrom(response.getPayload()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void onError() {}
    });
    try {
      var welcome = notifications.poll(10, TimeUnit.SECONDS);
      assertNotNull(welcome, "no answer to the registration");
      assertEquals(7, welcome.getWelcome().getResumedFromSeq());
      assertEquals("sensor-inbox", welcome.getWelcome().getDeviceId());

      var attach = attachment("sensor-inbox");
      assertEquals(7, attach.lastSeq());
      for (long seq = 8; seq <= 12; seq++) {
        attach.session().tell(new DeliverPush(push(seq)));
      }
      for (long seq = 8; seq <= 12; seq++) {
        var notification = notifications.poll(10, TimeUnit.SECONDS);
        assertNotNull(notification, "no notification for push " + seq);
        assertEquals(push(seq), notification);
      }
    } finally {
      relation.proactiveCancel();
      client.shutdown();
    }
    var session = attachment("sensor-inbox").session();
    await().atMost(Duration.ofSeconds(10)).until(() -> toUserEntities.contains(new DetachSession(session)));
  }

  @Test
  void withoutAValidTokenTheInboxIs401Unauthorized() throws Exception {
    var client = client("?access_token=not-a-token");
    long attachedBefore = toUserEntities.stream().filter(s -> s instanceof AttachSession).count();
    try {
      var response = client.get();
      assertNotNull(response, "no CoAP response");
      assertEquals(ResponseCode.UNAUTHORIZED, response.getCode());
      var nack = ServerFrame.parseFrom(response.getPayload()).getNack();
      assertEquals(NackCode.UNAUTHORIZED, nack.getCode());
      assertEquals(attachedBefore, toUserEntities.stream().filter(s -> s instanceof AttachSession).count(),
          "no session was opened");
    } finally {
      client.shutdown();
    }
  }

  private CoapClient client(String query) {
    var client = new CoapClient("coap://127.0.0.1:" + coapPort + "/v1/inbox" + query);
    client.setEndpoint(clientEndpoint);
    client.setTimeout(10_000L);
    return client;
  }

  private static AttachSession attachment(String deviceId) {
    return await().atMost(Duration.ofSeconds(10))
        .until(() -> toUserEntities.stream()
                .filter(s -> s instanceof AttachSession a && a.deviceId().equals(deviceId))
                .map(AttachSession.class::cast)
                .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static ServerFrame push(long seq) {
    return ServerFrame.newBuilder()
        .setPush(Push.newBuilder().setSeq(seq).setChatMessage(ChatMessage.newBuilder().setText("m" + seq)))
        .build();
  }

  private static String token(String deviceId) {
    return Tokens.mint(SECRET, "user-1", deviceId, Duration.ofHours(1));
  }
}
