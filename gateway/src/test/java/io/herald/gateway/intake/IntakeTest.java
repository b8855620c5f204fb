package io.herald.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.admission.Admission;
import io.herald.gateway.admission.AdmissionSettings;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.ingress.BreakerSettings;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.gateway.ingress.KafkaBreaker;
import io.herald.gateway.ingress.KafkaProducerSettings;
import io.herald.gateway.rest.EntityQueries;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.gateway.validation.Ownership;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.tracing.Tracing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The intake's order and refusal-first logic, with Kafka's {@code MockProducer} (sends complete when the test says)
 * and owner lookups the test answers. Every executor is the calling thread, so each step has happened when the call
 * that causes it returns: nothing here waits or depends on timing. The real thing: {@code WebSocketIngressTest} and
 * {@code CoapOrderTest} on Kafka.
 */
class IntakeTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String USER = "user-1";
  private static final DeviceIdentity PHONE = new DeviceIdentity(USER, "phone");
  private static final int BURST = 8;
  private static final Executor SAME_THREAD = Runnable::run;

  private final Map<String, CompletableFuture<DeviceOwner>> ownerLookups = new HashMap<>();
  private MockProducer<String, byte[]> kafka;
  private IngressProducer producer;
  private Admission admission;
  private Intake intake;
  private int breakerMaxFailures;

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newIntake() {
    Config config = ConfigFactory.parseMap(Map.of(
            // Sends wait for the test, never for the clock; an open breaker stays open.
            "herald.gateway.kafka-producer.breaker.answer-timeout", "1 h",
            "herald.gateway.kafka-producer.breaker.reset-timeout", "1 h",
            "herald.gateway.kafka-producer.breaker.max-reset-timeout", "1 h"))
        .withFallback(testKit.system().settings().config());
    kafka = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    breakerMaxFailures = BreakerSettings.from(config).maxFailures();
    KafkaBreaker breaker = new KafkaBreaker(BreakerSettings.from(config), testKit.system().classicSystem().scheduler(),
        SAME_THREAD);
    producer = new IngressProducer(kafka, KafkaProducerSettings.from(config), "herald.ingress", SAME_THREAD, breaker,
        Tracing.get(testKit.system()));
    // A clock that stands still: no token comes back during a test.
    admission = new Admission(new AdmissionSettings(1, BURST, 1, 1000, 1, 64 * 1024 * 1024, 1000, 64 * 1024 * 1024,
        Duration.ofSeconds(10), Duration.ofSeconds(1)), () -> 0L);
    Ownership ownership = new Ownership(new OwnersOnDemand(), Duration.ofSeconds(1), SAME_THREAD);
    intake = new Intake(new FrameDecoder(FrameLimits.from(config)), Degradation.get(testKit.system()), admission,
        ownership, producer, 64 * 1024, Duration.ofSeconds(1), SAME_THREAD,
        Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC));
  }

  @AfterEach
  void closeProducer() {
    producer.close().toCompletableFuture().join();
  }

  @Test
  void framesAfterASetDesiredWaitForItsLateOwnerCheckAndThenGoToKafkaInArrivalOrder() throws Exception {
    Arrivals connection = connection(10);
    ClientFrame first = telemetry("t-1");
    ClientFrame desired = desired("sd-2", "lamp");
    ClientFrame third = telemetry("t-3");
    ClientFrame fourth = telemetry("t-4");

    CompletionStage<ServerFrame> firstAnswer = take(connection, first);
    CompletionStage<ServerFrame> desiredAnswer = take(connection, desired);
    CompletionStage<ServerFrame> thirdAnswer = take(connection, third);
    CompletionStage<ServerFrame> fourthAnswer = take(connection, fourth);
    assertEquals(List.of("t-1"), sent(), "the frames after the set_desired wait for its check");

    ownerLookups.get(USER + "/lamp").complete(owner(USER + "/lamp", USER));
    assertEquals(List.of("t-1", "sd-2", "t-3", "t-4"), sent());
    assertFalse(fourthAnswer.toCompletableFuture().isDone(), "ack only after Kafka acknowledged");

    for (int i = 0; i < 4; i++) {
      assertTrue(kafka.completeNext());
    }
    assertEquals(ServerFrames.ack("t-1"), answerOf(firstAnswer));
    assertEquals(ServerFrames.ack("sd-2"), answerOf(desiredAnswer));
    assertEquals(ServerFrames.ack("t-3"), answerOf(thirdAnswer));
    assertEquals(ServerFrames.ack("t-4"), answerOf(fourthAnswer));
    assertNothingInFlight();
  }

  @Test
  void refusalsAreAnsweredAsSoonAsDecidedWhileEarlierFramesStillWait() throws Exception {
    Arrivals connection = connection(3);
    CompletionStage<ServerFrame> waiting = take(connection, desired("sd-1", "lamp"));
    CompletionStage<ServerFrame> stranger = take(connection, desired("sd-2", "lamp-of-another"));
    CompletionStage<ServerFrame> behind = take(connection, telemetry("t-3"));

    // The connection has 3 frames waiting: one more is refused at once.
    ServerFrame overTheBound = answerOf(take(connection, telemetry("t-4")));
    assertEquals(NackCode.RETRY_LATER, overTheBound.getNack().getCode());
    assertEquals("t-4", overTheBound.getNack().getMessageId());
    // Invalid bytes and a hello are answered at once too.
    assertEquals(NackCode.INVALID, answerOf(connection.take(ByteBuffer.wrap(new byte[] {(byte) 0xff})))
        .getNack().getCode());
    assertTrue(answerOf(take(connection, ClientFrame.newBuilder().setMessageId("h")
        .setHello(Hello.getDefaultInstance()).build())).hasWelcome());

    // The second set_desired's check says FORBIDDEN first: answered now, though the frame before it still waits.
    ownerLookups.get(USER + "/lamp-of-another").complete(owner(USER + "/lamp-of-another", "someone-else"));
    assertEquals(NackCode.FORBIDDEN, answerOf(stranger).getNack().getCode());
    assertFalse(waiting.toCompletableFuture().isDone());
    assertEquals(List.of(), sent());

    ownerLookups.get(USER + "/lamp").complete(owner(USER + "/lamp", USER));
    assertEquals(List.of("sd-1", "t-3"), sent(), "the refused frame is skipped, the order of the others kept");
    kafka.completeNext();
    kafka.completeNext();
    assertEquals(ServerFrames.ack("sd-1"), answerOf(waiting));
    assertEquals(ServerFrames.ack("t-3"), answerOf(behind));
    assertNothingInFlight();
  }

  /** Every admitted frame is answered: the node's bounds have all their frames and bytes back. */
  private void assertNothingInFlight() {
    assertEquals(0, admission.inFlight(), "frames in flight");
    assertEquals(0, admission.inFlightBytes(), "bytes in flight");
  }

  @Test
  void theDeviceRateLimitRefusesAtOnceWhileAnOwnerCheckHoldsTheFramesBeforeIt() throws Exception {
    Arrivals connection = connection(BURST + 5);
    CompletionStage<ServerFrame> waiting = take(connection, desired("sd-0", "lamp"));
    for (int i = 1; i < BURST; i++) {
      take(connection, telemetry("t-" + i));
    }
    ServerFrame refused = answerOf(take(connection, telemetry("over-the-burst")));
    assertEquals(NackCode.RETRY_LATER, refused.getNack().getCode());
    assertTrue(refused.getNack().getDetail().startsWith("device rate limit"), refused.getNack().getDetail());
    assertFalse(waiting.toCompletableFuture().isDone());
    assertEquals(List.of(), sent());
  }

  @Test
  void whileTheBreakerIsOpenAFrameThatWouldWaitIsRefusedAtOnceWithoutAskingItsOwner() throws Exception {
    Arrivals waitingConnection = connection(10);
    CompletionStage<ServerFrame> waiting = take(waitingConnection, desired("sd-1", "lamp"));
    openTheBreaker();

    ServerFrame behind = answerOf(take(waitingConnection, telemetry("t-2")));
    assertEquals(NackCode.RETRY_LATER, behind.getNack().getCode());
    assertEquals("Kafka is unavailable (circuit breaker open)", behind.getNack().getDetail());
    ServerFrame desiredNow = answerOf(take(connection(10), desired("sd-3", "lamp-2")));
    assertEquals(NackCode.RETRY_LATER, desiredNow.getNack().getCode());
    assertFalse(ownerLookups.containsKey(USER + "/lamp-2"), "no owner is asked while Kafka would refuse the frame");
    assertFalse(waiting.toCompletableFuture().isDone());
  }

  @Test
  void eachCoapDeviceKeepsItsOwnOrderWithoutWaitingForAnotherAndIsForgottenWhenAnswered() throws Exception {
    DeviceArrivals devices = intake.devices(Transport.COAP,
        hello -> ServerFrames.nack(hello.getMessageId(), NackCode.INVALID, "no hello here"));
    DeviceIdentity sensor = new DeviceIdentity("user-2", "sensor");

    CompletionStage<ServerFrame> desiredAnswer = devices.take(PHONE, bytes(desired("sd-1", "lamp")));
    CompletionStage<ServerFrame> phoneAnswer = devices.take(PHONE, bytes(telemetry("phone-2")));
    CompletionStage<ServerFrame> sensorAnswer = devices.take(sensor, bytes(telemetry("sensor-1")));
    assertEquals(List.of("sensor-1"), sent(), "another device's frame does not wait for the phone's check");
    assertEquals(2, devices.size());

    kafka.completeNext();
    assertEquals(ServerFrames.ack("sensor-1"), answerOf(sensorAnswer));
    assertEquals(1, devices.size(), "a device whose frames are all answered is forgotten");

    ownerLookups.get(USER + "/lamp").complete(owner(USER + "/lamp", USER));
    assertEquals(List.of("sensor-1", "sd-1", "phone-2"), sent());
    kafka.completeNext();
    kafka.completeNext();
    assertEquals(ServerFrames.ack("sd-1"), answerOf(desiredAnswer));
    assertEquals(ServerFrames.ack("phone-2"), answerOf(phoneAnswer));
    assertEquals(0, devices.size());

    assertEquals(NackCode.INVALID, answerOf(devices.take(sensor, bytes(ClientFrame.newBuilder().setMessageId("h")
        .setHello(Hello.getDefaultInstance()).build()))).getNack().getCode());
    assertEquals(0, devices.size(), "a frame answered at once leaves nothing behind");
  }

  @Test
  void theLogLineOfANackedFrameCarriesTheTraceOfItsRecordAndNothingIsLeftInTheMdc() throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger intakeLog = (Logger) LoggerFactory.getLogger(Intake.class);
    intakeLog.addAppender(logged);
    try {
      CompletionStage<ServerFrame> answer = take(connection(10), telemetry("t-nacked"));
      assertTrue(kafka.errorNext(new RuntimeException("Kafka is down")));
      assertEquals(NackCode.RETRY_LATER, answerOf(answer).getNack().getCode());

      // The record in Kafka names its publish span (00-trace-span-flags); the nack's log line names the same.
      String[] traceparent = new String(kafka.history().get(0).headers().lastHeader("traceparent").value(),
          StandardCharsets.UTF_8).split("-");
      assertEquals(Map.of("trace_id", traceparent[1], "span_id", traceparent[2]), mdcOfLineAbout("t-nacked", logged));

      // A frame refused before it has a span of its own is logged in the trace its connection was opened with.
      String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
      Arrivals traced = intake.connection(PHONE, Transport.WEBSOCKET,
          Optional.of("00-" + callerTrace + "-00f067aa0ba902b7-01"), 10, hello -> ServerFrames.welcome(PHONE, 0, 0));
      assertEquals(NackCode.INVALID, answerOf(traced.take(ByteBuffer.wrap(new byte[] {(byte) 0xff}))).getNack()
          .getCode());
      assertEquals(Map.of("trace_id", callerTrace, "span_id", "00f067aa0ba902b7"), mdcOfLineAbout("INVALID", logged));
      assertNull(MDC.get("trace_id"),
          "the MDC is cleared after the line: a pooled thread's next frame does not inherit it");
    } finally {
      intakeLog.detachAppender(logged);
    }
  }

  private static Map<String, String> mdcOfLineAbout(String text, ListAppender<ILoggingEvent> logged) {
    return logged.list.stream().filter(event -> event.getFormattedMessage().contains(text)).findFirst()
        .orElseThrow(() -> new AssertionError("no log line about " + text + " in " + logged.list))
        .getMDCPropertyMap();
  }

  /** Fails as many sends as open the breaker, from a device of their own. */
  private void openTheBreaker() {
    Arrivals failing = intake.connection(new DeviceIdentity("user-9", "failing"), Transport.WEBSOCKET,
        Optional.empty(), 100, hello -> ServerFrames.welcome(PHONE, 0, 0));
    for (int i = 0; i < breakerMaxFailures; i++) {
      CompletionStage<ServerFrame> answer = take(failing, telemetry("failing-" + i));
      assertTrue(kafka.errorNext(new RuntimeException("Kafka is down")));
      assertEquals(NackCode.RETRY_LATER, answerOf(answer).getNack().getCode());
    }
    assertEquals(KafkaBreaker.State.OPEN, producer.breaker().state());
  }

  private Arrivals connection(int maxInFlight) {
    return intake.connection(PHONE, Transport.WEBSOCKET, Optional.empty(), maxInFlight,
        hello -> ServerFrames.welcome(PHONE, hello.getHello().getLastSeq(), 0));
  }

  private static CompletionStage<ServerFrame> take(Arrivals arrivals, ClientFrame frame) {
    return arrivals.take(bytes(frame));
  }

  private static ByteBuffer bytes(ClientFrame frame) {
    return ByteBuffer.wrap(frame.toByteArray());
  }

  private static ServerFrame answerOf(CompletionStage<ServerFrame> answer) {
    CompletableFuture<ServerFrame> future = answer.toCompletableFuture();
    assertTrue(future.isDone(), "answered by now");
    return future.join();
  }

  /** The message ids handed to Kafka, in send order. */
  private List<String> sent() throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    for (ProducerRecord<String, byte[]> record : kafka.history()) {
      ids.add(IngressRecord.parseFrom(record.value()).getMessageId());
    }
    return ids;
  }

  private static ClientFrame telemetry(String messageId) {
    return ClientFrame.newBuilder().setMessageId(messageId)
        .setTelemetry(Telemetry.newBuilder().putReadings("t", 1)).build();
  }

  private static ClientFrame desired(String messageId, String lamp) {
    return ClientFrame.newBuilder().setMessageId(messageId)
        .setSetDesired(SetDesired.newBuilder().setDeviceId(USER + "/" + lamp).putDesired("on", "1")).build();
  }

  private static DeviceOwner owner(String deviceId, String userId) {
    return DeviceOwner.newBuilder().setDeviceId(deviceId).setOwnerUserId(userId).build();
  }

  /** Owner lookups that stay open until the test answers them. */
  private final class OwnersOnDemand implements EntityQueries {
    @Override
    public CompletionStage<DeviceOwner> owner(String deviceId) {
      return ownerLookups.computeIfAbsent(deviceId, id -> new CompletableFuture<>());
    }

    @Override
    public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId,
        long afterSeq, int limit) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }
  }
}
