package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
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
 * A device that sends more than its burst gets RETRY_LATER at once for the excess; the rest is acked. So does a user
 * whose devices together send more than the user's burst, of frames or of bytes.
 */
@ExtendWith(InfraExtension.class)
class DeviceRateLimitTest {

  private static final String SECRET = "device-rate-limit-test-secret-of-32-bytes-or-more";
  private static final int BURST = 5;
  private static final int USER_BURST = 8;
  /** The smallest byte burst the gateway accepts: its max-frame-bytes, 64 KiB. */
  private static final int USER_BYTES_BURST = 64 * 1024;

  private static RunningGateway gateway;
  private static int port;

  @BeforeAll
  static void start(Kafka kafka) throws Exception {
    IngressTopic.create(kafka);
    gateway =
        RunningGateway.start(
            "device-rate-limit-test",
            Map.of(
                "herald.auth.jwt-secret", SECRET,
                "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
                "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s",
                "herald.gateway.limits.device-burst", BURST,
                // One token per 100 s: no refill during the test, so exactly the burst is admitted.
                "herald.gateway.limits.device-frames-per-second", 0.01,
                "herald.gateway.limits.user-burst", USER_BURST,
                "herald.gateway.limits.user-frames-per-second", 0.01,
                "herald.gateway.limits.user-bytes-burst", USER_BYTES_BURST,
                // One byte per second: the burst is all a user sends during the test.
                "herald.gateway.limits.user-bytes-per-second", 1));
    port = gateway.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void framesOverTheBurstAreAnsweredRetryLaterAndTheRestIsAcked(Kafka kafka) {
    String userId = "user-" + UUID.randomUUID();
    List<ClientFrame> frames = new ArrayList<>();
    for (int i = 0; i < BURST + 3; i++) {
      frames.add(
          ClientFrame.newBuilder()
              .setMessageId("m-" + i)
              .setTelemetry(Telemetry.newBuilder().putReadings("n", i))
              .build());
    }
    Set<String> acked = new HashSet<>();
    List<Nack> nacks = new ArrayList<>();
    try (WebSocketTestClient client =
        WebSocketTestClient.connect(port, Tokens.mint(SECRET, userId, "device-1", Duration.ofHours(1)))) {
      frames.forEach(client::send);
      for (int i = 0; i < frames.size(); i++) {
        ServerFrame reply = client.next();
        if (reply.hasAck()) {
          acked.add(reply.getAck().getMessageId());
        } else {
          nacks.add(reply.getNack());
        }
      }

      assertEquals(Set.of("m-0", "m-1", "m-2", "m-3", "m-4"), acked, "the burst is admitted, in order");
      assertEquals(3, nacks.size());
      for (Nack nack : nacks) {
        assertEquals(NackCode.RETRY_LATER, nack.getCode());
        assertTrue(nack.getRetryAfterMs() > 0, nack.toString());
        assertTrue(nack.getDetail().startsWith("device rate limit"), nack.getDetail());
      }

      // Another device of the same user has its own bucket.
      try (WebSocketTestClient other =
          WebSocketTestClient.connect(port, Tokens.mint(SECRET, userId, "device-2", Duration.ofHours(1)))) {
        other.send(ClientFrame.newBuilder().setMessageId("other").setTelemetry(Telemetry.getDefaultInstance()).build());
        assertEquals(ServerFrames.ack("other"), other.next());
        acked.add("other");
      }
    }
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(acked, Duration.ofSeconds(30));
    }
  }

  @Test
  void aUsersDevicesTogetherAreHeldToTheUsersBurst(Kafka kafka) {
    String userId = "user-" + UUID.randomUUID();
    Set<String> acked = new HashSet<>();
    List<Nack> nacks = new ArrayList<>();
    // Three devices of one user, 4 frames each, one after the other: each within its burst of 5, 12 in all.
    for (String device : List.of("device-a", "device-b", "device-c")) {
      try (WebSocketTestClient client =
          WebSocketTestClient.connect(port, Tokens.mint(SECRET, userId, device, Duration.ofHours(1)))) {
        for (int i = 0; i < 4; i++) {
          ServerFrame reply = client.request(ClientFrame.newBuilder().setMessageId(device + "-" + i)
              .setTelemetry(Telemetry.newBuilder().putReadings("n", i)).build());
          if (reply.hasAck()) {
            acked.add(reply.getAck().getMessageId());
          } else {
            nacks.add(reply.getNack());
          }
        }
      }
    }
    assertEquals(USER_BURST, acked.size(), "the user's burst is admitted: " + acked);
    assertEquals(4, nacks.size(), "the third device's frames are past the user's burst");
    for (Nack nack : nacks) {
      assertEquals(NackCode.RETRY_LATER, nack.getCode());
      assertTrue(nack.getRetryAfterMs() > 0, nack.toString());
      assertTrue(nack.getDetail().startsWith("user rate limit"), nack.getDetail());
    }
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(acked, Duration.ofSeconds(30));
    }
  }

  @Test
  void aUsersDevicesTogetherAreHeldToTheUsersBytes(Kafka kafka) {
    String userId = "user-" + UUID.randomUUID();
    Set<String> acked = new HashSet<>();
    List<Nack> nacks = new ArrayList<>();
    // Two devices of one user, two frames of 20,000 bytes each: 80,000 bytes against the user's 65,536, while each
    // device and the user stay within their frame bursts.
    for (String device : List.of("device-a", "device-b")) {
      try (WebSocketTestClient client =
          WebSocketTestClient.connect(port, Tokens.mint(SECRET, userId, device, Duration.ofHours(1)))) {
        for (int i = 0; i < 2; i++) {
          ServerFrame reply = client.request(ClientFrame.newBuilder().setMessageId(device + "-" + i)
              .setTelemetry(Telemetry.newBuilder().setRaw(ByteString.copyFrom(new byte[20_000]))).build());
          if (reply.hasAck()) {
            acked.add(reply.getAck().getMessageId());
          } else {
            nacks.add(reply.getNack());
          }
        }
      }
    }
    assertEquals(Set.of("device-a-0", "device-a-1", "device-b-0"), acked, "the user's bytes are admitted");
    assertEquals(1, nacks.size(), "the fourth frame is past the user's bytes");
    Nack nack = nacks.get(0);
    assertEquals(NackCode.RETRY_LATER, nack.getCode());
    assertEquals("device-b-1", nack.getMessageId());
    assertTrue(nack.getRetryAfterMs() > 1000, "at 1 byte/s the bytes come back slowly: " + nack);
    assertTrue(nack.getDetail().startsWith("user byte rate limit"), nack.getDetail());
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(acked, Duration.ofSeconds(30));
    }
  }
}
