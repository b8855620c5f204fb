package io.herald.user.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.IngressAppliedBatch;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.events.v1.DeviceSnapshot;
import io.herald.protocol.events.v1.ReadingSample;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ApplyRecords;
import io.herald.signals.cluster.DeviceSignal;
import io.herald.signals.cluster.GetDeviceOwner;
import io.herald.signals.cluster.GetShadow;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.cluster.UserOutboxes;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private TestProbe<PushIntent> offline;

  private EventSourcedBehaviorTestKit<DeviceSignal, DeviceEntity.Event, DeviceEntity.State> device;
  private String deviceId;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newDevice() {
    offline = testKit.createTestProbe();
    var settings = new DeviceSettings(new DedupWindow.Bounds(3, Duration.ofHours(24)), 100, 2, 600,
        Duration.ofMillis(300), Duration.ofMillis(50), RetentionCriteria.disabled());
    // The kit checks that commands, replies and journal events serialize; state is stored through the snapshot
    // adapter instead.
    // A device id of its own per test: the previous test's entity is still alive and its presence timer would write
    // into the same journal (two writers of one persistence id).
    deviceId = "d-" + UUID.randomUUID();
    device = EventSourcedBehaviorTestKit.create(testKit.system(),
        DeviceEntity.create(deviceId, settings, recording(offline, ask -> CONFIRMED)),
        new SerializationSettings(true, false, true, true, false));
  }

  @Test
  void telemetryIsPersistedThenAcknowledged() {
    var result = apply(telemetry("m-1", "u-1", 21.5));
    assertEquals("m-1", result.reply().getMessageId());
    assertFalse(result.reply().getDuplicate());
    // The journal holds the Protobuf form written by the event adapter.
    @SuppressWarnings("unchecked")
    var journal = (List<Object>) (List<?>) result.events();
    var stored = journal.stream()
        .filter(io.herald.protocol.events.v1.TelemetryRecorded.class::isInstance)
        .map(io.herald.protocol.events.v1.TelemetryRecorded.class::cast).findFirst().orElseThrow();
    assertEquals(21.5, stored.getReadingsMap().get("temp"));
    assertEquals("m-1", stored.getMessageId());
    assertEquals(1, result.state().telemetryCount);
  }

  @Test
  void aRedeliveredMessageIdChangesNothingAndIsAnsweredAsDuplicate() {
    apply(telemetry("m-1", "u-1", 1));
    var again = apply(telemetry("m-1", "u-1", 1));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().getDuplicate());
    assertEquals(1, again.state().telemetryCount);
  }

  @Test
  void theDedupWindowIsBoundedAndSurvivesARestart() {
    for (int i = 1; i <= 4; i++) {
      var id = "m-" + i;
      apply(telemetry(id, "u-1", 1));
    }
    device.restart();
    var recent = apply(telemetry("m-4", "u-1", 1));
    assertTrue(recent.reply().getDuplicate());
    // Window of 3: m-1 has been forgotten, so it is applied again (the consumer never redelivers that far back).
    var forgotten = apply(telemetry("m-1", "u-1", 1));
    assertFalse(forgotten.reply().getDuplicate());
    assertEquals(5, forgotten.state().telemetryCount);
  }

  @Test
  void aResendWithinTheHorizonIsADuplicateAndAfterItsEvictionByTimeIsAppliedAgain() {
    long t0 = 1_800_000_000_000L;
    long hour = Duration.ofHours(1).toMillis();
    apply(telemetryAt("m-1", t0));
    assertTrue(apply(telemetryAt("m-1", t0 + 23 * hour)).reply().getDuplicate(), "within 24 h: a duplicate");
    // A newer frame past m-1's horizon: m-1 is forgotten by time, though the count (3) would still hold it.
    apply(telemetryAt("m-2", t0 + 24 * hour + 1));
    // Replay rebuilds the same window: its times are the events' own.
    device.restart();
    assertTrue(apply(telemetryAt("m-2", t0 + 24 * hour + 2)).reply().getDuplicate());
    var resent = apply(telemetryAt("m-1", t0 + 24 * hour + 2));
    assertFalse(resent.reply().getDuplicate(), "past the horizon and forgotten: applied again");
    assertEquals(3, resent.state().telemetryCount);
  }

  @Test
  void anIdEvictedByCountWithinItsHorizonIsCounted() {
    var registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try {
      long t0 = 1_800_000_000_000L;
      for (int i = 1; i <= 4; i++) {
        apply(telemetryAt("m-" + i, t0 + i));
      }
      var early = registry.find("herald.dedup.evicted.early").tag("entity", DeviceSignal.ENTITY_TYPE).summary();
      assertEquals(1, early.count(), "m-1 left the window of 3 a few milliseconds old, long before 24 h");
    } finally {
      Metrics.removeRegistry(registry);
    }
  }

  @Test
  void theIdsOfASnapshotWrittenBeforeTimesWereKeptStillCount() {
    var adapter = new DeviceSnapshotAdapter(new DedupWindow.Bounds(3, Duration.ofHours(24)));
    var state = adapter.fromJournal(DeviceSnapshot.newBuilder().setDeviceId(deviceId).setOwnerUserId("u-1")
        .addRecentMessageIds("m-old").build());
    state.recentMessageIds.add("m-new", 1_800_000_000_000L + Duration.ofDays(3).toMillis());
    assertTrue(state.recentMessageIds.contains("m-old"), "an id without time leaves by count only");
    var written = (DeviceSnapshot) adapter.toJournal(state);
    assertEquals(List.of("m-old", "m-new"), written.getRecentMessageIdsList());
    assertEquals(List.of(DedupWindow.UNKNOWN_TIME, 1_800_000_000_000L + Duration.ofDays(3).toMillis()),
        written.getRecentMessageIdsAtMsList());
  }

  @Test
  void stateIsRebuiltFromEventsAfterRestart() {
    apply(telemetry("m-1", "u-1", 20));
    apply(telemetry("m-2", "u-1", 22));
    var restarted = device.restart().state();
    assertEquals(2, restarted.telemetryCount);
    assertEquals(new DeviceEntity.Reading(22, 2, 1_000,
        List.of(new DeviceEntity.Sample(20, 1_000), new DeviceEntity.Sample(22, 1_000))), restarted.readings.get("temp"));
    assertEquals("u-1", restarted.ownerUserId);
  }

  @Test
  void eachKeyKeepsItsLastValueCountAndABoundedHistory() {
    for (int i = 1; i <= 5; i++) {
      apply(telemetry("m-" + i, "u-1", i));
    }
    var temp = device.<DeviceTelemetry>runCommand(GetTelemetry::new).reply().getReadingsMap().get("temp");
    assertEquals(5, temp.getLast());
    assertEquals(5, temp.getCount());
    // A history of 2: the last two values, oldest first.
    assertEquals(List.of(4.0, 5.0), temp.getRecentList().stream().map(ReadingSample::getValue).toList());
  }

  @Test
  void anotherUsersTelemetryIsRefusedAsForbidden() {
    apply(telemetry("m-1", "u-1", 1));
    var other = apply(telemetry("m-2", "u-2", 1));
    assertTrue(other.hasNoEvents());
    assertEquals(NackCode.FORBIDDEN, other.reply().getRejectedCode());
  }

  @Test
  void aFrameThatIsNotForTheDeviceIsRefusedAsInvalid() {
    var record = telemetry("m-1", "u-1", 1).toBuilder()
        .setFrame(ClientFrame.newBuilder().setMessageId("m-1").setChatSend(ChatSend.newBuilder().setConversationId("c-1"))).build();
    var result = apply(record);
    assertTrue(result.hasNoEvents());
    assertEquals(NackCode.INVALID, result.reply().getRejectedCode());
  }

  @Test
  void reportedStateIsMergedVersionedAndPushedToTheOwnerAsDeviceUpdate() {
    apply(frame("m-1", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("fw", "1.0").putReported("led", "off"))));
    var result = apply(frame("m-2", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("fw", "1.1").putReported("led", ""))));
    var update = result.reply().getPushes(0);
    assertEquals("u-1", update.getUserId());
    assertEquals("m-2/device_update", update.getCauseId());
    assertEquals(Map.of("fw", "1.1"), update.getPush().getDeviceUpdate().getReportedMap());
    assertTrue(update.getPush().getDeviceUpdate().getOnline());
    assertEquals(2, update.getPush().getDeviceUpdate().getVersion());
    assertEquals(Map.of("fw", "1.1"), device.restart().state().shadow.reported);
  }

  @Test
  void aDuplicateRepeatsThePushesOfTheOriginal() {
    apply(frame("m-1", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("fw", "1.0"))));
    var again = apply(frame("m-1", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("fw", "1.0"))));
    assertTrue(again.reply().getDuplicate());
    assertTrue(again.hasNoEvents());
    assertEquals("m-1/device_update", again.reply().getPushes(0).getCauseId());
  }

  @Test
  void theOwnerSetsDesiredStateWhichIsPushedAsDesiredState() {
    apply(telemetry("m-1", "u-1", 1));
    var result = apply(desired("m-2", "u-1", "led", "on"));
    var push = result.reply().getPushes(0).getPush().getDesiredState();
    assertEquals(deviceId, push.getDeviceId());
    assertEquals(Map.of("led", "on"), push.getPropertiesMap());
    assertEquals(1, push.getVersion());
  }

  @Test
  void theShadowShowsReportedDesiredDeltaVersionAndPresenceToItsOwnerOnly() {
    apply(frame("m-1", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("led", "off").putReported("fw", "1"))));
    apply(desired("m-2", "u-1", "led", "on"));
    var shadow = device.<DeviceShadow>runCommand(replyTo -> new GetShadow("u-1", replyTo)).reply();
    assertTrue(shadow.getFound());
    assertEquals(Map.of("led", "off", "fw", "1"), shadow.getReportedMap());
    assertEquals(Map.of("led", "on"), shadow.getDesiredMap());
    assertEquals(Map.of("led", "on"), shadow.getDeltaMap());
    assertEquals(2, shadow.getVersion());
    assertTrue(shadow.getOnline());
    assertFalse(device.<DeviceShadow>runCommand(replyTo -> new GetShadow("u-2", replyTo)).reply().getFound());
  }

  @Test
  void desiredStateForAnUnknownDeviceIsRefusedAsUnknownDeviceAndForAForeignOneAsForbidden() {
    assertEquals("", owner().getOwnerUserId());
    assertEquals(NackCode.UNKNOWN_DEVICE, apply(desired("m-1", "u-1", "led", "on")).reply().getRejectedCode());
    apply(telemetry("m-2", "u-1", 1));
    assertEquals("u-1", owner().getOwnerUserId());
    var foreign = apply(desired("m-3", "u-2", "led", "on"));
    assertEquals(NackCode.FORBIDDEN, foreign.reply().getRejectedCode());
    assertTrue(foreign.hasNoEvents());
  }

  private DeviceOwner owner() {
    return device.<DeviceOwner>runCommand(GetDeviceOwner::new).reply();
  }

  @Test
  void aHeartbeatBringsTheDeviceOnlineAndSilenceTakesItOffline() {
    var online = apply(frame("hb-1", "u-1", ClientFrame.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())));
    assertTrue(online.reply().getPushes(0).getPush().getDeviceUpdate().getOnline());
    var offlineUpdate = offline.expectMessageClass(PushIntent.class, Duration.ofSeconds(10));
    assertEquals("u-1", offlineUpdate.getUserId());
    assertFalse(offlineUpdate.getPush().getDeviceUpdate().getOnline());
    assertFalse(device.getState().shadow.online);
  }

  @Test
  void anOfflinePushTheOwnersUserEntityDoesNotConfirmIsAskedAgainUnderTheSameCauseIdUntilItDoes() {
    var asked = testKit.<PushIntent>createTestProbe();
    // The owner's User entity fails the first two asks (slow, or its shard moving), then confirms.
    onlineDevice(recording(asked, ask -> ask < 2 ? NO_ANSWER_IN_TIME.get() : CONFIRMED));
    var first = asked.receiveMessage(Duration.ofSeconds(10));
    assertFalse(first.getPush().getDeviceUpdate().getOnline());
    assertEquals(first, asked.receiveMessage(Duration.ofSeconds(10)), "asked again, the same push and cause id");
    assertEquals(first, asked.receiveMessage(Duration.ofSeconds(10)), "and again, until confirmed");
    asked.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aFrameThatBringsTheDeviceOnlineDropsTheOfflinePushStillOnItsWay() {
    var asked = testKit.<PushIntent>createTestProbe();
    // The first ask gets no answer until the test gives one; the others are confirmed at once.
    var firstAnswer = new CompletableFuture<Done>();
    var device = onlineDevice(recording(asked, ask -> ask == 0 ? firstAnswer : CONFIRMED));
    var offline = asked.receiveMessage(Duration.ofSeconds(10));
    assertFalse(offline.getPush().getDeviceUpdate().getOnline());

    // Back online before the owner's User entity answered: this frame's device_update says so.
    assertTrue(device.heartbeat("hb-2").getPushes(0).getPush().getDeviceUpdate().getOnline());
    firstAnswer.completeExceptionally(new IllegalStateException("no answer in time"));

    // The failed offline push is not asked again (that would come after 50 ms); the next ask is the next offline.
    var next = asked.receiveMessage(Duration.ofSeconds(10));
    assertFalse(next.getPush().getDeviceUpdate().getOnline());
    assertFalse(next.getCauseId().equals(offline.getCauseId()), "the stale offline push was asked again");
  }

  private static final CompletableFuture<Done> CONFIRMED = CompletableFuture.completedFuture(Done.getInstance());
  private static final Supplier<CompletableFuture<Done>> NO_ANSWER_IN_TIME =
      () -> CompletableFuture.failedFuture(new IllegalStateException("no answer in time"));

  /** A Device entity of its own, spawned, and what its heartbeats are answered. */
  private record LiveDevice(String id, ActorRef<DeviceSignal> entity, TestProbe<IngressApplied> replies) {

    IngressApplied heartbeat(String messageId) {
      entity.tell(new ApplyRecord(IngressRecord.newBuilder().setMessageId(messageId).setUserId("u-1").setDeviceId(id)
          .setReceivedAtMs(1_000).setFrame(ClientFrame.newBuilder().setMessageId(messageId)
              .setHeartbeat(Heartbeat.getDefaultInstance())).build(), replies.ref()));
      return replies.receiveMessage(Duration.ofSeconds(10));
    }
  }

  /** A device (presence timeout 300 ms, offline pushes asked again after 50 ms) that has just sent a heartbeat. */
  private static LiveDevice onlineDevice(UserOutboxes outboxes) {
    var id = "d-" + UUID.randomUUID();
    var settings = new DeviceSettings(new DedupWindow.Bounds(3, Duration.ofHours(24)), 100, 2, 600,
        Duration.ofMillis(300), Duration.ofMillis(50), RetentionCriteria.disabled());
    var device = new LiveDevice(id, testKit.spawn(DeviceEntity.create(id, settings, outboxes)),
        testKit.createTestProbe());
    device.heartbeat("hb-1");
    return device;
  }

  /**
   * The owners' outboxes as a probe sees them: every ask, as the intent it carries, answered as {@code answer} says
   * for the ask's number (from 0).
   */
  private static UserOutboxes recording(TestProbe<PushIntent> probe, IntFunction<CompletableFuture<Done>> answer) {
    var asks = new AtomicInteger();
    return (userId, causeId, push) -> {
      probe.ref().tell(PushIntent.newBuilder().setUserId(userId).setCauseId(causeId).setPush(push).build());
      return answer.apply(asks.getAndIncrement());
    };
  }

  @Test
  void aDeviceThatWouldGrowPastItsStateBudgetIsRefusedAndRemovingPropertiesMakesRoom() {
    // The budget here is 600 bytes; a reading costs its key and 64 bytes (2 recent values).
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, apply(frame("r-1", "u-1", ClientFrame.newBuilder()
        .setReportState(ReportState.newBuilder().putReported("blob", "x".repeat(400))))).reply().getRejectedCode());
    var manyKeys = Telemetry.newBuilder();
    IntStream.range(0, 5).forEach(i -> manyKeys.putReadings("sensor-" + i, i));
    var refused = apply(frame("t-1", "u-1", ClientFrame.newBuilder().setTelemetry(manyKeys)));
    assertEquals(NackCode.TOO_LARGE, refused.reply().getRejectedCode());
    assertTrue(refused.reply().getDetail().contains("over its budget of 600"), refused.reply().getDetail());
    assertTrue(refused.hasNoEvents());
    assertEquals(NackCode.TOO_LARGE, apply(desired("d-1", "u-1", "more", "y".repeat(300))).reply().getRejectedCode());

    // Known keys cost nothing more; removing the blob makes room for the readings.
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, apply(frame("r-2", "u-1", ClientFrame.newBuilder()
        .setReportState(ReportState.newBuilder().putReported("blob", "")))).reply().getRejectedCode());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED,
        apply(frame("t-2", "u-1", ClientFrame.newBuilder().setTelemetry(manyKeys))).reply().getRejectedCode());
    assertEquals(5, device.getState().readings.size());
  }

  @Test
  void aBatchIsDecidedRecordByRecordAgainstWhatItsEarlierRecordsDidAndPersistedInOneWrite() {
    apply(telemetry("m-1", "u-1", 1));
    var fourKeys = Telemetry.newBuilder();
    IntStream.range(0, 4).forEach(i -> fourKeys.putReadings("sensor-" + i, i));
    var fourOtherKeys = Telemetry.newBuilder();
    IntStream.range(4, 8).forEach(i -> fourOtherKeys.putReadings("sensor-" + i, i));
    var batch = List.of(
        telemetry("m-1", "u-1", 1),                                                  // applied before: duplicate
        frame("m-2", "u-1", ClientFrame.newBuilder().setTelemetry(fourKeys)),        // applied
        frame("m-2", "u-1", ClientFrame.newBuilder().setTelemetry(fourKeys)),        // earlier in the batch: duplicate
        telemetry("m-3", "u-2", 3),                                                  // another user's: forbidden
        frame("h-1", "u-1", ClientFrame.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())), // applied
        frame("m-4", "u-1", ClientFrame.newBuilder().setTelemetry(fourOtherKeys)));  // fits alone, not after m-2
    var result = device.<IngressAppliedBatch>runCommand(replyTo -> new ApplyRecords(batch, replyTo));

    var outcomes = result.reply().getAppliedList();
    assertEquals(List.of("m-1", "m-2", "m-2", "m-3", "h-1", "m-4"),
        outcomes.stream().map(IngressApplied::getMessageId).toList(), "one outcome per record, in order");
    assertEquals(List.of(true, false, true, false, false, false),
        outcomes.stream().map(IngressApplied::getDuplicate).toList());
    assertEquals(List.of(NackCode.NACK_CODE_UNSPECIFIED, NackCode.NACK_CODE_UNSPECIFIED, NackCode.NACK_CODE_UNSPECIFIED,
        NackCode.FORBIDDEN, NackCode.NACK_CODE_UNSPECIFIED, NackCode.TOO_LARGE),
        outcomes.stream().map(IngressApplied::getRejectedCode).toList());
    @SuppressWarnings("unchecked")
    var journal = (List<Object>) (List<?>) result.events();
    assertEquals(List.of("m-2"), journal.stream()
        .map(event -> ((io.herald.protocol.events.v1.TelemetryRecorded) event).getMessageId()).toList(),
        "one write with the one new telemetry event (the device was online: the heartbeat writes nothing)");
    assertEquals(2, result.state().telemetryCount);
    assertEquals(5, result.state().readings.size());
    assertFalse(apply(frame("m-4", "u-1", ClientFrame.newBuilder().setTelemetry(fourKeys))).hasNoEvents(),
        "the refused id was not taken as applied: sent again with keys the device has, it is applied");
  }

  @Test
  void aBatchThatBringsTheDeviceOnlineTellsTheOwnerOnceForTheRecordThatDid() {
    var result = device.<IngressAppliedBatch>runCommand(replyTo -> new ApplyRecords(
        List.of(telemetry("t-1", "u-1", 1), telemetry("t-2", "u-1", 2)), replyTo));
    var outcomes = result.reply().getAppliedList();
    assertEquals(List.of("t-1/device_update"), outcomes.get(0).getPushesList().stream().map(PushIntent::getCauseId).toList());
    assertTrue(outcomes.get(0).getPushes(0).getPush().getDeviceUpdate().getOnline());
    assertEquals(0, outcomes.get(1).getPushesCount());
    assertEquals(3, result.events().size(), "online, then both readings, in one write");
    assertEquals(2, device.getState().telemetryCount);
  }

  @Test
  void aBatchHoldingAFrameBatchesDoNotCarryIsAnsweredWithNoOutcomeAndChangesNothing() {
    var result = device.<IngressAppliedBatch>runCommand(replyTo -> new ApplyRecords(List.of(telemetry("t-1", "u-1", 1),
        frame("r-1", "u-1", ClientFrame.newBuilder().setReportState(ReportState.newBuilder().putReported("k", "v")))),
        replyTo));
    assertEquals(0, result.reply().getAppliedCount());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void aFailedPersistRestartsTheDeviceWhichAppliesTheNextRecord() {
    var id = "d-" + UUID.randomUUID();
    var settings = new DeviceSettings(new DedupWindow.Bounds(3, Duration.ofHours(24)), 100, 2, 600,
        Duration.ofMinutes(10), Duration.ofMillis(50), RetentionCriteria.disabled());
    PersistenceTestKit.create(testKit.system()).failNextPersisted(DeviceEntity.persistenceId(id).id());
    var entity = testKit.spawn(DeviceEntity.create(id, settings, (user, cause, push) -> new CompletableFuture<>()));
    // The first write fails: no reply for it (the pipeline redelivers the record); the entity restarts, recovers and
    // applies what comes next, instead of stopping. A record that arrived while the failed write was under way may be
    // lost with the restart (the pipeline asks again, as here: about once a second, for up to 10 s).
    entity.tell(new ApplyRecord(telemetry("m-lost", "u-1", 1).toBuilder().setDeviceId(id).build(),
        testKit.<IngressApplied>createTestProbe().ref()));
    var replies = testKit.<IngressApplied>createTestProbe();
    var next = telemetry("m-next", "u-1", 2).toBuilder().setDeviceId(id).build();
    var applied = replies.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(500), () -> {
      entity.tell(new ApplyRecord(next, replies.ref()));
      return replies.receiveMessage(Duration.ofMillis(500));
    });
    assertEquals("m-next", applied.getMessageId());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, applied.getRejectedCode());
    var summary = testKit.<DeviceTelemetry>createTestProbe();
    entity.tell(new GetTelemetry(summary.ref()));
    // The failed write's outcome is unknown to the entity (the journal may hold it): at least the next record is there.
    assertTrue(summary.receiveMessage().getTelemetryCount() >= 1, "the recovered entity holds the record after the failure");
  }

  private IngressRecord desired(String messageId, String userId, String key, String value) {
    return frame(messageId, userId, ClientFrame.newBuilder().setSetDesired(SetDesired.newBuilder().setDeviceId(deviceId).putDesired(key, value)));
  }

  private IngressRecord frame(String messageId, String userId, ClientFrame.Builder frame) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId(userId).setDeviceId(deviceId)
        .setReceivedAtMs(1_000).setFrame(frame.setMessageId(messageId)).build();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<DeviceSignal, DeviceEntity.Event, DeviceEntity.State, IngressApplied>
      apply(IngressRecord record) {
    return device.runCommand(replyTo -> new ApplyRecord(record, replyTo));
  }

  private IngressRecord telemetryAt(String messageId, long receivedAtMs) {
    return telemetry(messageId, "u-1", 1).toBuilder().setReceivedAtMs(receivedAtMs).build();
  }

  private IngressRecord telemetry(String messageId, String userId, double temp) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId(userId).setDeviceId(deviceId)
        .setReceivedAtMs(1_000).setTransport(Transport.WEBSOCKET)
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId).setTelemetry(Telemetry.newBuilder().putReadings("temp", temp)))
        .build();
  }
}
