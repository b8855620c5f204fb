package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 1,000 WebSocket sessions open at the same time on one gateway, each sending a telemetry frame: every one is acked
 * and in the topic. The bound on the total time only catches a hang; speed is the load tests' business.
 */
@ExtendWith(InfraExtension.class)
class ThousandSessionsTest {

  private static final String SECRET = "thousand-sessions-test-secret-of-32-bytes-or-more";
  private static final int SESSIONS = 1_000;
  // Handshakes started at once: the server's accept backlog is finite, and a dropped SYN costs a client a second.
  private static final int CONCURRENT_HANDSHAKES = 100;

  @Test
  void aThousandConcurrentSessionsEachSendAFrameAndAllAreAcked(Kafka kafka) throws Exception {
    IngressTopic.create(kafka);
    RunningGateway gateway = RunningGateway.start("thousand-sessions-test", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        // 1,000 frames land at once on a shared 2-core machine: the answer bound is not what is tested.
        "herald.gateway.kafka-producer.breaker.answer-timeout", "30 s",
        "pekko.http.server.max-connections", 2 * SESSIONS));
    List<WebSocketTestClient> clients = new ArrayList<>();
    try {
      int port = gateway.httpPort();

      Semaphore handshakes = new Semaphore(CONCURRENT_HANDSHAKES);
      List<CompletableFuture<WebSocketTestClient>> connecting = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        String token = Tokens.mint(SECRET, "user-" + UUID.randomUUID(), "device-" + i, Duration.ofHours(1));
        handshakes.acquire();
        connecting.add(
            WebSocketTestClient.connect(WebSocketTestClient.uri(port), Map.of("Authorization", "Bearer " + token))
                .whenComplete((client, failure) -> handshakes.release()));
      }
      for (CompletableFuture<WebSocketTestClient> connection : connecting) {
        clients.add(connection.get(60, SECONDS));
      }
      assertEquals(SESSIONS, clients.size());

      // All sessions are open now; each sends one frame, without waiting for the others' answers.
      Map<WebSocketTestClient, String> sent = new java.util.IdentityHashMap<>();
      for (WebSocketTestClient client : clients) {
        ClientFrame frame =
            ClientFrame.newBuilder()
                .setMessageId(UUID.randomUUID().toString())
                .setTelemetry(Telemetry.newBuilder().putReadings("temp", 20))
                .build();
        client.send(frame);
        sent.put(client, frame.getMessageId());
      }

      Set<String> acked = new HashSet<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInSameThread()
          .until(
              () -> {
                for (WebSocketTestClient client : clients) {
                  ServerFrame reply = client.poll();
                  if (reply != null) {
                    assertEquals(ServerFrames.ack(sent.get(client)), reply);
                    acked.add(reply.getAck().getMessageId());
                  }
                }
                return acked.size() == SESSIONS;
              });

      try (IngressTopic topic = IngressTopic.reader(kafka)) {
        topic.awaitMessageIds(new HashSet<>(sent.values()), Duration.ofSeconds(60));
      }
    } finally {
      clients.forEach(WebSocketTestClient::close);
      gateway.close();
    }
  }
}
