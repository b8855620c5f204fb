package io.herald.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka goes away and comes back under a running gateway (docs/architecture.md, "Failure and degradation": Kafka unavailable): frames are answered
 * RETRY_LATER within the answer bound, the session stays open, and acks resume without restarting anything; every
 * acked message id is in the topic.
 */
@ExtendWith(InfraExtension.class)
class KafkaOutageTest {

  private static final String SECRET = "kafka-outage-test-secret-of-32-bytes-or-more";
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);
  // What the client tolerates on top of the answer bound before calling the gateway hung: scheduling on a busy
  // machine, not a latency goal.
  private static final Duration MARGIN = Duration.ofSeconds(3);

  private static RunningGateway gateway;
  private static int port;

  @BeforeAll
  static void start(Kafka kafka) throws Exception {
    IngressTopic.create(kafka);
    gateway =
        RunningGateway.start(
            "kafka-outage-test",
            Map.of(
                "herald.auth.jwt-secret", SECRET,
                "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "herald.gateway.kafka-producer.breaker.answer-timeout", ANSWER_TIMEOUT.toMillis() + " ms",
                "herald.gateway.kafka-producer.breaker.max-failures", 3,
                "herald.gateway.kafka-producer.breaker.reset-timeout", "1 s",
                "herald.gateway.kafka-producer.breaker.max-reset-timeout", "2 s"));
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void whileKafkaIsDownFramesGetRetryLaterInTimeAndAcksResumeWhenItIsBack(Kafka kafka) {
    Set<String> acked = new HashSet<>();
    String userId = "user-" + UUID.randomUUID();
    try (WebSocketTestClient client =
        WebSocketTestClient.connect(port, Tokens.mint(SECRET, userId, "device-1", Duration.ofHours(1)))) {
      // Kafka is up: the first ack also proves the producer knows the topic's partitions.
      acked.add(sendUntilAcked(client));

      List<Nack> nacks = new ArrayList<>();
      kafka.stopBroker(0);
      try {
        for (int i = 0; i < 8; i++) {
          ClientFrame frame = telemetry();
          client.send(frame);
          ServerFrame reply = client.next(ANSWER_TIMEOUT.plus(MARGIN));
          assertTrue(reply.hasNack(), "no ack while Kafka is down: " + reply);
          Nack nack = reply.getNack();
          assertEquals(frame.getMessageId(), nack.getMessageId());
          assertEquals(NackCode.RETRY_LATER, nack.getCode());
          assertTrue(nack.getRetryAfterMs() > 0, nack.toString());
          nacks.add(nack);
        }
        // The first frames fail in Kafka's own way (no answer within the bound, or metadata not available after
        // max.block.ms, depending on what the producer knew when the broker left); then the breaker opens.
        assertTrue(
            nacks.stream().anyMatch(n -> n.getDetail().contains("circuit breaker open")),
            "after max-failures the breaker answers without trying Kafka: " + nacks);

        // The session is still open and served.
        assertFalse(client.closedByServer().isDone(), "the session stays open while Kafka is down");
        client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
        assertTrue(client.next(MARGIN).hasWelcome());
      } finally {
        kafka.startBroker(0); // the broker is shared by the test JVM
      }

      // The same gateway and session: the breaker's probe finds Kafka back and acks resume.
      acked.add(sendUntilAcked(client));
      for (int i = 0; i < 5; i++) {
        ClientFrame frame = telemetry();
        client.send(frame);
        assertEquals(ServerFrames.ack(frame.getMessageId()), client.next());
        acked.add(frame.getMessageId());
      }
    }

    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(acked, Duration.ofSeconds(30));
    }
  }

  /** Sends fresh frames until one is acked (nacks are RETRY_LATER meanwhile); returns its message id. */
  private static String sendUntilAcked(WebSocketTestClient client) {
    List<String> ackedId = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ClientFrame frame = telemetry();
              client.send(frame);
              ServerFrame reply = client.next();
              if (reply.hasAck()) {
                assertEquals(frame.getMessageId(), reply.getAck().getMessageId());
                ackedId.add(frame.getMessageId());
                return true;
              }
              assertEquals(NackCode.RETRY_LATER, reply.getNack().getCode(), reply.toString());
              return false;
            });
    return ackedId.get(0);
  }

  private static ClientFrame telemetry() {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setTelemetry(Telemetry.newBuilder().putReadings("temp", 21.5))
        .build();
  }
}
