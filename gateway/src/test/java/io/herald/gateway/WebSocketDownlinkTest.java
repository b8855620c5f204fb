package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.cluster.UserSignal;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Downlink over WebSocket: the session actor a hello opens, pushes reaching the client, and a slow subscriber being
 * closed. The User entities are the seam ({@link io.herald.gateway.downlink.UserEntities}): here it records what
 * sessions tell them, and the test plays the entity by telling the recorded session actor. No Kafka is needed.
 */
class WebSocketDownlinkTest {

  private static final String SECRET = "websocket-downlink-test-secret-of-32-bytes-or-more";

  private static RunningGateway gateway;
  private static int port;
  private static final Queue<UserSignal> toUserEntities = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    gateway =
        RunningGateway.start(
            "websocket-downlink-test",
            Map.of(
                "herald.auth.jwt-secret", SECRET,
                // Nothing here goes to Kafka.
                "herald.kafka.bootstrap-servers", "127.0.0.1:9",
                "herald.gateway.websocket.push-buffer", 4),
        (userId, signal) -> toUserEntities.add(signal));
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void helloAttachesASessionActorWhosePushesReachTheClientAndClosingDetachesIt() throws Exception {
    WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-push"));
    ActorRef<SessionSignal> session;
    try (client) {
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.newBuilder().setLastSeq(7)).build());
      assertEquals(7, client.next().getWelcome().getResumedFromSeq());

      AttachSession attach = attachment("device-push");
      assertEquals(7, attach.lastSeq());
      session = attach.session();

      // What a User entity does: push to the session; the client gets the frames in order.
      for (long seq = 8; seq <= 10; seq++) {
        session.tell(new DeliverPush(push(seq)));
      }
      for (long seq = 8; seq <= 10; seq++) {
        assertEquals(push(seq), client.next());
      }
      // The session still answers the client's own frames in between.
      client.send(ClientFrame.newBuilder().setMessageId("again").setHello(Hello.newBuilder().setLastSeq(10)).build());
      assertTrue(client.next().hasWelcome());
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> toUserEntities.contains(new DetachSession(session)));
    // Counted by session actor, not by attach: the actor attaches again by itself for the next replay page once two
    // pushes (half its buffer of 4) were delivered, if the connection is still open 20 ms later.
    assertEquals(
        1,
        toUserEntities.stream()
            .filter(s -> s instanceof AttachSession a && a.deviceId().equals("device-push"))
            .map(s -> ((AttachSession) s).session())
            .distinct()
            .count(),
        "a second hello on the same connection opens no second session");
  }

  @Test
  void aClientThatDoesNotReadItsPushesIsClosedAsSlowSubscriberAndTheEntityDetached() throws Exception {
    try (WebSocketTestClient client = WebSocketTestClient.connect(port, token("device-slow"))) {
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
      assertTrue(client.next().hasWelcome());
      ActorRef<SessionSignal> session = attachedSession("device-slow");

      client.pauseReading();
      // Large pushes fill the socket buffers, then the outgoing buffer, then the push buffer (4): the session closes.
      String text = "x".repeat(32 * 1024);
      long[] seq = {0};
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (int i = 0; i < 50; i++) {
                  session.tell(new DeliverPush(push(++seq[0], text)));
                }
                return toUserEntities.contains(new DetachSession(session));
              });

      client.resumeReading();
      // What was buffered before the overflow arrives in order, then the reason, then a normal close.
      long expectedSeq = 1;
      while (true) {
        ServerFrame frame = client.next();
        if (frame.hasPush()) {
          assertEquals(expectedSeq++, frame.getPush().getSeq());
          continue;
        }
        assertEquals("", frame.getNack().getMessageId());
        assertEquals(NackCode.RETRY_LATER, frame.getNack().getCode());
        assertTrue(frame.getNack().getDetail().startsWith("slow subscriber"), frame.getNack().getDetail());
        break;
      }
      assertEquals(WebSocket.NORMAL_CLOSURE, client.closedByServer().get(10, SECONDS));
    }
  }

  private static AttachSession attachment(String deviceId) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                toUserEntities.stream()
                    .filter(s -> s instanceof AttachSession a && a.deviceId().equals(deviceId))
                    .map(AttachSession.class::cast)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static ActorRef<SessionSignal> attachedSession(String deviceId) {
    return attachment(deviceId).session();
  }

  private static ServerFrame push(long seq) {
    return push(seq, "m" + seq);
  }

  private static ServerFrame push(long seq, String text) {
    return ServerFrame.newBuilder()
        .setPush(Push.newBuilder().setSeq(seq).setChatMessage(ChatMessage.newBuilder().setText(text)))
        .build();
  }

  private static String token(String deviceId) {
    return Tokens.mint(SECRET, "user-1", deviceId, Duration.ofHours(1));
  }
}
