package io.herald.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.protocol.device.v1.Ack;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.device.v1.Welcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference client against a scripted server: resends, retry-after, restarts, resume, bounds. */
class DeviceClientTest {

  @TempDir Path outboxDirectory;

  @Test
  void retryLaterIsResentWithTheSameMessageIdNoEarlierThanRetryAfter() throws Exception {
    var attempts = new ConcurrentHashMap<String, AtomicInteger>();
    try (var herald = new FakeHerald((connection, frame, to) -> {
      if (frame.hasHello()) {
        return List.of(welcome());
      }
      int attempt = attempts.computeIfAbsent(frame.getMessageId(), id -> new AtomicInteger()).incrementAndGet();
      return List.of(attempt == 1 ? nack(frame.getMessageId(), NackCode.RETRY_LATER, 300) : ack(frame.getMessageId()));
    });
        var client = DeviceClient.start(settings(herald), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      var acked = assertInstanceOf(SendOutcome.Acked.class, outcome);
      assertEquals(2, acked.attempts());
      var copies = herald.received().stream().filter(r -> r.frame().getMessageId().equals("m1")).toList();
      assertEquals(2, copies.size());
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(copies.get(1).atNanos() - copies.get(0).atNanos());
      assertTrue(waitedMillis >= 300, "resent after " + waitedMillis + " ms, before the server's retry-after");
      assertEquals(0, client.unacknowledged());
    }
  }

  @Test
  void aRestartedClientResendsWhatWasNotAckedWithTheSameIds() throws Exception {
    var acking = new AtomicBoolean(false);
    try (var herald = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome())
        : acking.get() ? List.of(ack(frame.getMessageId())) : List.of())) {

      var first = DeviceClient.start(settings(herald), ClientEvents.NONE);
      var m1 = first.send(telemetry("m1"));
      var m2 = first.send(telemetry("m2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).size() == 2);
      first.close();
      assertInstanceOf(SendOutcome.Abandoned.class, m1.toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertInstanceOf(SendOutcome.Abandoned.class, m2.toCompletableFuture().get(5, TimeUnit.SECONDS));

      acking.set(true);
      var outcomes = new CopyOnWriteArrayList<SendOutcome>();
      try (var restarted = DeviceClient.start(settings(herald), new ClientEvents() {
        @Override
        public void onOutcome(SendOutcome outcome) {
          outcomes.add(outcome);
        }
      })) {
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 2);
        assertEquals(List.of("m1", "m2"), outcomes.stream().map(SendOutcome::messageId).toList());
        outcomes.forEach(outcome -> assertInstanceOf(SendOutcome.Acked.class, outcome));
        assertEquals(0, restarted.unacknowledged());
      }
      assertEquals(List.of("m1", "m2", "m1", "m2"),
          herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).stream().map(ClientFrame::getMessageId).toList());
      try (var outbox = DurableOutbox.open(outboxDirectory, false)) {
        assertEquals(0, outbox.size(), "acked frames are forgotten");
      }
    }
  }

  @Test
  void helloCarriesTheHighestPushSeenAfterAReconnectAndAfterARestart() throws Exception {
    try (var herald = new FakeHerald((connection, frame, to) -> {
      if (frame.hasHello() && connection == 1) {
        var pushes = new ArrayList<ServerFrame>(List.of(welcome()));
        for (long seq = 1; seq <= 3; seq++) {
          pushes.add(ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(seq)).build());
        }
        return pushes;
      }
      if (connection == 1) {
        // The client's next frame, sent once it has seen the pushes: the connection is lost now, not while the
        // pushes are still on their way (an abrupt drop may take unread frames with it).
        to.drop();
        return List.of();
      }
      return frame.hasHello() ? List.of(welcome()) : List.of();
    })) {
      var pushes = new CopyOnWriteArrayList<Long>();
      try (var client = DeviceClient.start(settings(herald), new ClientEvents() {
        @Override
        public void onPush(Push push) {
          pushes.add(push.getSeq());
        }
      })) {
        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() == 3);
        client.send(telemetry("after-pushes"));
        await().atMost(Duration.ofSeconds(10)).until(() -> herald.receivedOfKind(ClientFrame.BodyCase.HELLO).size() == 2);
        assertEquals(List.of(1L, 2L, 3L), pushes);
        assertEquals(3, client.highestPushSeq());
      }
      try (var restarted = DeviceClient.start(settings(herald), ClientEvents.NONE)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> herald.receivedOfKind(ClientFrame.BodyCase.HELLO).size() == 3);
      }
      assertEquals(List.of(0L, 3L, 3L), herald.receivedOfKind(ClientFrame.BodyCase.HELLO).stream()
          .map(hello -> hello.getHello().getLastSeq()).toList());
    }
  }

  @Test
  void aNackThatAResendCannotChangeEndsTheFrameAsRefused() throws Exception {
    try (var herald = new FakeHerald((connection, frame, to) -> List.of(frame.hasHello() ? welcome()
        : nack(frame.getMessageId(), NackCode.INVALID, 0)));
        var client = DeviceClient.start(settings(herald), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertEquals(NackCode.INVALID, assertInstanceOf(SendOutcome.Refused.class, outcome).code());
      assertEquals(1, herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).size());
      assertEquals(0, client.unacknowledged());
    }
  }

  @Test
  void aFrameWithoutAnswerIsResentUpToMaxAttemptsThenGivenUp() throws Exception {
    try (var herald = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome()) : List.of());
        var client = DeviceClient.start(settings(herald).withAckTimeout(Duration.ofMillis(100)).withMaxAttempts(3)
            .withResendBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2.0, 0.2)), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertEquals(3, assertInstanceOf(SendOutcome.GaveUp.class, outcome).attempts());
      assertEquals(List.of("m1", "m1", "m1"), herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).stream()
          .map(ClientFrame::getMessageId).toList());
    }
  }

  @Test
  void inFlightAndOutboxAreBounded() throws Exception {
    try (var herald = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome()) : List.of());
        var client = DeviceClient.start(settings(herald).withMaxInFlight(2).withOutboxCapacity(3), ClientEvents.NONE)) {

      client.send(telemetry("m1"));
      client.send(telemetry("m2"));
      client.send(telemetry("m3"));
      assertThrows(OutboxFullException.class, () -> client.send(telemetry("m4")));

      await().atMost(Duration.ofSeconds(5)).until(() -> herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).size() == 2);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> herald.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).size() == 2);
    }
  }

  @Test
  void whenItsNodeDropsTheConnectionTheClientFailsOverToTheNextEndpointWithTheSameIds() throws Exception {
    try (var dying = new FakeHerald((connection, frame, to) -> {
          if (frame.hasHello()) {
            return List.of(welcome());
          }
          to.drop(); // a node killed with the frame unanswered
          return List.of();
        });
        var survivor = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome())
            : List.of(ack(frame.getMessageId())));
        // The JDK client now and then does not report a peer's close (no close frame, a FIN): the silence rule
        // (nothing received within the ack timeout) covers that case too, so both paths lead to the survivor.
        var client = DeviceClient.start(settings(List.of(dying.url(), survivor.url()))
            .withAckTimeout(Duration.ofSeconds(2)), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertInstanceOf(SendOutcome.Acked.class, outcome);
      assertEquals(List.of("m1"), dying.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).stream()
          .map(ClientFrame::getMessageId).toList());
      assertEquals(List.of("m1"), survivor.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).stream()
          .map(ClientFrame::getMessageId).toList());
    }
  }

  @Test
  void aConnectionSilentPastTheAckTimeoutIsGivenUpForTheNextEndpoint() throws Exception {
    // A frozen node: it welcomed the device, then answers nothing and keeps the TCP connection open.
    try (var frozen = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome()) : List.of());
        var survivor = new FakeHerald((connection, frame, to) -> frame.hasHello() ? List.of(welcome())
            : List.of(ack(frame.getMessageId())));
        var client = DeviceClient.start(settings(List.of(frozen.url(), survivor.url()))
            .withAckTimeout(Duration.ofMillis(300)), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertEquals(2, assertInstanceOf(SendOutcome.Acked.class, outcome).attempts(), "one silent attempt, one acked");
      assertEquals(1, frozen.receivedOfKind(ClientFrame.BodyCase.TELEMETRY).size());
      assertEquals(1, survivor.connectionCount());
    }
  }

  @Test
  void aConnectionThatBringsOtherFramesIsKeptWhenAnAckIsLate() throws Exception {
    // Alive but late with this ack: a push arrives after the frame went out, so the timeout resends on the same one.
    var attempts = new AtomicInteger();
    try (var herald = new FakeHerald((connection, frame, to) -> {
          if (frame.hasHello()) {
            return List.of(welcome());
          }
          return List.of(attempts.incrementAndGet() == 1
              ? ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(1)).build()
              : ack(frame.getMessageId()));
        });
        var other = new FakeHerald((connection, frame, to) -> List.of());
        var client = DeviceClient.start(settings(List.of(herald.url(), other.url()))
            .withAckTimeout(Duration.ofMillis(300)), ClientEvents.NONE)) {

      var outcome = client.send(telemetry("m1")).toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertEquals(2, assertInstanceOf(SendOutcome.Acked.class, outcome).attempts());
      assertEquals(1, herald.connectionCount());
      assertEquals(0, other.connectionCount());
    }
  }

  private DeviceClientSettings settings(List<java.net.URI> endpoints) {
    return DeviceClientSettings.defaults(endpoints, "token", outboxDirectory)
        .withReconnect(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2), 50);
  }

  private DeviceClientSettings settings(FakeHerald herald) {
    return DeviceClientSettings.defaults(herald.url(), "token", outboxDirectory)
        .withReconnect(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2), 50);
  }

  private static ClientFrame telemetry(String id) {
    return ClientFrame.newBuilder().setMessageId(id).setTelemetry(Telemetry.newBuilder().putAllReadings(Map.of("t", 1.0)))
        .build();
  }

  private static ServerFrame welcome() {
    return ServerFrame.newBuilder().setWelcome(Welcome.newBuilder().setUserId("u").setDeviceId("d")).build();
  }

  private static ServerFrame ack(String id) {
    return ServerFrame.newBuilder().setAck(Ack.newBuilder().setMessageId(id)).build();
  }

  private static ServerFrame nack(String id, NackCode code, long retryAfterMs) {
    return ServerFrame.newBuilder()
        .setNack(Nack.newBuilder().setMessageId(id).setCode(code).setRetryAfterMs(retryAfterMs)).build();
  }
}
