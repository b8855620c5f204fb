package io.herald.user.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.ConversationSummary;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.UserAccount;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ConversationMembership;
import io.herald.protocol.device.v1.DesiredState;
import io.herald.protocol.device.v1.DeviceUpdate;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ReadReceipt;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import io.herald.signals.cluster.GetConversations;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final UserSettings SETTINGS = new UserSettings(new DedupWindow.Bounds(100, Duration.ofHours(24)), 5,
      4096, 3, 100, 10, 2_000, RetentionCriteria.disabled());

  private EventSourcedBehaviorTestKit<UserSignal, UserEntity.Event, UserEntity.State> user;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newUser() {
    user = EventSourcedBehaviorTestKit.create(testKit.system(), UserEntity.create("alice", SETTINGS),
        new SerializationSettings(true, false, true, true, false));
    // Every test gets the same persistence id: start each from an empty journal, not the previous test's events.
    user.clear();
  }

  @Test
  void pushesGetGapFreeSequenceNumbersFromOneAndReachLiveSessions() {
    var session = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("phone", 0, session.ref()));
    for (int i = 1; i <= 3; i++) {
      enqueue("cause-" + i);
    }
    assertEquals(List.of(1L, 2L, 3L), receivedSeqs(session, 3));
  }

  @Test
  void aCauseIsEnqueuedAtMostOnce() {
    enqueue("cause-1");
    var again = user.<Done>runCommand(replyTo -> new EnqueuePush("cause-1", receipt(), replyTo));
    assertTrue(again.hasNoEvents());
    assertEquals(1, again.state().lastSeq);
  }

  @Test
  void severalPushesAreOneWriteInTheirOrderEachCauseAtMostOnce() {
    var session = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("phone", 0, session.ref()));
    enqueue("cause-1");
    var entries = List.of(new EnqueuePush.Entry("cause-1", receipt()), new EnqueuePush.Entry("cause-2", receipt()),
        new EnqueuePush.Entry("cause-3", receipt()), new EnqueuePush.Entry("cause-2", receipt()));

    var result = user.<Done>runCommand(replyTo -> new EnqueuePush(entries, replyTo));

    List<?> journaled = result.events();
    assertEquals(List.of("cause-2", "cause-3"), journaled.stream()
        .map(event -> ((io.herald.protocol.events.v1.PushEnqueued) event).getCauseId()).toList(),
        "cause-1 was enqueued before; the journal holds the events as adapted");
    assertEquals(3, result.state().lastSeq);
    assertEquals(List.of(1L, 2L, 3L), receivedSeqs(session, 3));
    assertTrue(user.<Done>runCommand(replyTo -> new EnqueuePush(entries, replyTo)).hasNoEvents(), "all again: none");
  }

  @Test
  void aReconnectingSessionReceivesExactlyWhatItMissedInOrder() {
    LongStream.rangeClosed(1, 4).forEach(i -> enqueue("cause-" + i));
    user.restart();
    var session = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("phone", 2, session.ref()));
    assertEquals(List.of(3L, 4L), receivedSeqs(session, 2));
    session.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aBacklogIsReplayedOnePageAtATimeAndNewPushesWaitForTheirPage() {
    LongStream.rangeClosed(1, 5).forEach(i -> enqueue("cause-" + i));
    var session = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("phone", 0, session.ref(), 2));
    assertEquals(List.of(1L, 2L), receivedSeqs(session, 2));
    enqueue("cause-6");
    session.expectNoMessage(Duration.ofMillis(100));

    user.runCommand(new AttachSession("phone", 2, session.ref(), 2));
    assertEquals(List.of(3L, 4L), receivedSeqs(session, 2));
    user.runCommand(new AttachSession("phone", 4, session.ref(), 2));
    assertEquals(List.of(5L, 6L), receivedSeqs(session, 2));
    // Caught up: from now on every new push, at once.
    enqueue("cause-7");
    assertEquals(List.of(7L), receivedSeqs(session, 1));
  }

  @Test
  void pushAckTrimsTheOutboxAndIsAppliedOnce() {
    LongStream.rangeClosed(1, 3).forEach(i -> enqueue("cause-" + i));
    var acked = ack("ack-1", 2);
    assertEquals(2, acked.state().ackedSeq);
    assertEquals(1, acked.state().outbox.size());
    assertTrue(ack("ack-1", 2).reply().getDuplicate());
    // An ack past the last push only acknowledges what exists.
    assertEquals(3, ack("ack-2", 99).state().ackedSeq);
    assertTrue(user.restart().state().outbox.isEmpty());
  }

  @Test
  void aPhonesAckDoesNotRemoveTheTabletsPushes() {
    var sessions = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("tablet", 0, sessions.ref()));
    user.runCommand(new AttachSession("phone", 0, sessions.ref()));
    LongStream.rangeClosed(1, 3).forEach(i -> enqueue("cause-" + i));

    var phoneAcked = ack("ack-phone", "phone", 3);
    assertEquals(3, phoneAcked.state().outbox.size(), "the tablet has not acknowledged any");
    assertEquals(0, phoneAcked.state().ackedSeq);
    var tabletAcked = ack("ack-tablet", "tablet", 2);
    assertEquals(List.of(3L), tabletAcked.state().outbox.stream().map(Push::getSeq).toList());
    assertEquals(2, tabletAcked.state().ackedSeq);

    var account = user.<UserAccount>runCommand(GetAccount::new).reply();
    assertEquals(Map.of("phone", 3L, "tablet", 2L), account.getDeviceAckedSeqMap());
    user.restart();
    assertEquals(account.getDeviceAckedSeqMap(),
        user.<UserAccount>runCommand(GetAccount::new).reply().getDeviceAckedSeqMap(), "persisted");
  }

  @Test
  void aDeviceWhosePushesLeftTheOutboxIsToldItMissedThemBeforeTheRest() {
    var tablet = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("tablet", 0, tablet.ref()));
    LongStream.rangeClosed(1, 8).forEach(i -> enqueue("cause-" + i));
    tablet.receiveSeveralMessages(8);

    // Back with last_seq 1: the outbox (5 here) holds 4..8 only.
    var again = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("tablet", 1, again.ref()));
    var welcome = ((DeliverPush) again.receiveMessage()).frame().getWelcome();
    assertTrue(welcome.getPushesMissed());
    assertEquals(3, welcome.getResumedFromSeq());
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L), receivedSeqs(again, 5));
  }

  @Test
  void twoDevicesMayChooseTheSameMessageIdForTheirAcks() {
    var sessions = testKit.<SessionSignal>createTestProbe();
    user.runCommand(new AttachSession("tablet", 0, sessions.ref()));
    LongStream.rangeClosed(1, 2).forEach(i -> enqueue("cause-" + i));
    assertFalse(ack("ack-1", "phone", 2).reply().getDuplicate());
    var tablet = ack("ack-1", "tablet", 2);
    assertFalse(tablet.reply().getDuplicate(), "message ids are unique per device only");
    assertTrue(tablet.state().outbox.isEmpty());
    assertTrue(ack("ack-1", "tablet", 2).reply().getDuplicate());
  }

  @Test
  void theDeviceCursorsAreBoundedTheLeastRecentlyMovedIsForgotten() {
    var sessions = testKit.<SessionSignal>createTestProbe();
    for (var device : List.of("d-1", "d-2", "d-3")) {
      user.runCommand(new AttachSession(device, 0, sessions.ref()));
    }
    enqueue("cause-1");
    ack("ack-1", "d-1", 1);
    user.runCommand(new AttachSession("d-4", 1, sessions.ref()));
    assertEquals(List.of("d-3", "d-1", "d-4"), List.copyOf(user.getState().cursors.keySet()));
  }

  @Test
  void theOutboxIsBoundedInBytesTooTheOldestPushesLeaveFirst() {
    var big = Push.newBuilder().setChatMessage(ChatMessage.newBuilder().setConversationId("c-1").setText("x".repeat(1500)))
        .build();
    LongStream.rangeClosed(1, 4).forEach(i -> enqueue("big-" + i, big));
    var state = user.getState();
    assertEquals(List.of(3L, 4L), state.outbox.stream().map(Push::getSeq).toList(), "4 KiB hold two of them");
    assertTrue(state.outboxBytes <= 4096, "bytes held: " + state.outboxBytes);
    assertEquals(state.outboxBytes, user.restart().state().outboxBytes, "derived again on recovery");
  }

  @Test
  void theOutboxIsBounded() {
    LongStream.rangeClosed(1, 8).forEach(i -> enqueue("cause-" + i));
    var state = user.getState();
    assertEquals(5, state.outbox.size());
    assertEquals(4, state.outbox.peekFirst().getSeq());
    assertEquals(8, state.lastSeq);
  }

  @Test
  void aFailedPersistRestartsTheUserWhichEnqueuesTheNextPush() {
    var id = "persist-failure-" + java.util.UUID.randomUUID();
    PersistenceTestKit.create(testKit.system()).failNextPersisted(UserEntity.persistenceId(id).id());
    var entity = testKit.spawn(UserEntity.create(id, SETTINGS));
    // The first write fails: no reply for it (its sender retries); the entity restarts, recovers and serves what
    // comes next, instead of stopping.
    entity.tell(new EnqueuePush("c-lost", receipt(), testKit.<Done>createTestProbe().ref()));
    var enqueued = testKit.<Done>createTestProbe();
    entity.tell(new EnqueuePush("c-next", receipt(), enqueued.ref()));
    enqueued.receiveMessage(Duration.ofSeconds(10));
    var account = testKit.<UserAccount>createTestProbe();
    entity.tell(new GetAccount(account.ref()));
    // The failed write's outcome is unknown to the entity (the journal may hold it): at least the next push is there.
    assertTrue(account.receiveMessage().getLastSeq() >= 1, "the recovered entity holds the push after the failure");
  }

  private void enqueue(String cause) {
    user.<Done>runCommand(replyTo -> new EnqueuePush(cause, receipt(), replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<UserSignal, UserEntity.Event, UserEntity.State, IngressApplied>
      ack(String messageId, long upTo) {
    return ack(messageId, "phone", upTo);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<UserSignal, UserEntity.Event, UserEntity.State, IngressApplied>
      ack(String messageId, String device, long upTo) {
    var record = IngressRecord.newBuilder().setMessageId(messageId).setUserId("alice").setDeviceId(device)
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId).setPushAck(PushAck.newBuilder().setUpToSeq(upTo))).build();
    return user.runCommand(replyTo -> new ApplyRecord(record, replyTo));
  }

  @Test
  void theAccountListsTheDevicesAndConversationsItsPushesNamedAndSurvivesARestart() {
    enqueue("u1", Push.newBuilder().setDeviceUpdate(DeviceUpdate.newBuilder().setDeviceId("d-1")).build());
    enqueue("u2", Push.newBuilder().setChatMessage(ChatMessage.newBuilder().setConversationId("c-9")).build());
    enqueue("u3", Push.newBuilder().setDesiredState(DesiredState.newBuilder().setDeviceId("d-2")).build());
    enqueue("u4", Push.newBuilder().setDeviceUpdate(DeviceUpdate.newBuilder().setDeviceId("d-1")).build());
    var account = user.<UserAccount>runCommand(GetAccount::new).reply();
    assertEquals(List.of("d-2", "d-1"), account.getDevicesList(), "most recently named last");
    assertEquals(List.of("c-9"), account.getConversationsList());
    assertEquals(4, account.getLastSeq());
    user.restart();
    assertEquals(account, user.<UserAccount>runCommand(GetAccount::new).reply());
  }

  @Test
  void theConversationListFollowsTheNewestMembershipNoticeOfEachConversationPagedByIdAndSurvivesARestart() {
    enqueue("n1", membership("c-b", 1, "bob", "bob", "alice"));
    enqueue("n2", membership("c-a", 1, "alice", "alice", "carol"));
    enqueue("n3", membership("c-c", 2, "carol", "carol"));
    enqueue("n4", membership("c-b", 3, "bob", "bob", "alice", "dave"));
    enqueue("n5", membership("c-b", 2, "bob", "bob"));
    var all = conversations("", 10);
    assertEquals(List.of("c-a", "c-b"), ids(all), "c-c does not have alice; the older notice of c-b changes nothing");
    assertEquals("bob", all.getConversations(1).getOwnerUserId());
    assertEquals(3, all.getConversations(1).getMemberCount());
    assertEquals(3, all.getConversations(1).getVersion());
    assertFalse(all.getMore());
    assertFalse(all.getTruncated());
    var first = conversations("", 1);
    assertEquals(List.of("c-a"), ids(first));
    assertTrue(first.getMore());
    assertEquals(List.of("c-b"), ids(conversations("c-a", 1)));

    // Removed from c-a; a message of c-a that was on its way does not bring it back.
    enqueue("n6", membership("c-a", 2, "carol", "carol"));
    enqueue("n7", Push.newBuilder().setChatMessage(ChatMessage.newBuilder().setConversationId("c-a")).build());
    assertEquals(List.of("c-b"), ids(conversations("", 10)));
    user.restart();
    assertEquals(List.of("c-b"), ids(conversations("", 10)));
    assertEquals(List.of("c-b"), user.<UserAccount>runCommand(GetAccount::new).reply().getConversationsList());
  }

  @Test
  void theConversationListIsBoundedInCountAndBytesAndSaysWhenItIsIncomplete() {
    for (int i = 10; i < 22; i++) {
      enqueue("count-" + i, membership("c-" + i, 1, "bob", "bob", "alice"));
    }
    var byCount = conversations("", 100);
    assertEquals(10, byCount.getConversationsCount(), "known-devices-and-conversations is 10 here");
    assertEquals("c-12", byCount.getConversations(0).getConversationId(), "the least recently changed went first");
    assertTrue(byCount.getTruncated());

    for (int i = 0; i < 10; i++) {
      enqueue("bytes-" + i, membership("long-" + i + "-" + "x".repeat(300), 1, "bob", "bob", "alice"));
    }
    var state = user.restart().state();
    assertTrue(state.membershipsBytes <= 2_000, "bytes kept: " + state.membershipsBytes);
    assertEquals(List.of("long-4", "long-5", "long-6", "long-7", "long-8", "long-9"),
        state.memberships.keySet().stream().map(id -> id.substring(0, 6)).toList(), "six of about 330 bytes fit");
  }

  private ConversationList conversations(String after, int limit) {
    return user.<ConversationList>runCommand(replyTo -> new GetConversations(after, limit, replyTo)).reply();
  }

  private static List<String> ids(ConversationList list) {
    return list.getConversationsList().stream().map(ConversationSummary::getConversationId).toList();
  }

  private static Push membership(String conversationId, long version, String owner, String... members) {
    return Push.newBuilder().setConversationMembership(ConversationMembership.newBuilder()
        .setConversationId(conversationId).setVersion(version).setOwnerUserId(owner)
        .addAllMemberUserIds(List.of(members))).build();
  }

  private void enqueue(String cause, Push push) {
    user.<Done>runCommand(replyTo -> new EnqueuePush(cause, push, replyTo));
  }

  private static Push receipt() {
    return Push.newBuilder().setReadReceipt(ReadReceipt.newBuilder().setConversationId("c-1").setUserId("bob").setUpToSeq(1)).build();
  }

  private static List<Long> receivedSeqs(TestProbe<SessionSignal> session, int count) {
    return session.receiveSeveralMessages(count).stream()
        .map(signal -> ((DeliverPush) signal).frame().getPush().getSeq()).toList();
  }
}
