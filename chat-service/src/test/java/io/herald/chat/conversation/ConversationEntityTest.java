package io.herald.chat.conversation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.AddMembers;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ChatRead;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.LeaveConversation;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.RemoveMembers;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.ChatSendParked;
import io.herald.protocol.events.v1.ConversationSnapshot;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ConversationSignal;
import io.herald.signals.cluster.GetHistory;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserOutboxes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConversationEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  /**
   * A memory of 3 recent messages or 1,000 bytes of them (older pages come from the journal), history pages of at most
   * 700 bytes; fan-out pages of 2 messages; 2 parked sends or 2,000 bytes of them; 1,001 members.
   */
  private static final ConversationSettings SETTINGS = settings(1_001);
  // Outboxes that never answer: these tests see only the events their commands cause, no fan-out progress.
  private static final UserOutboxes SILENT = (user, cause, push) -> new CompletableFuture<>();

  /**
   * Membership notices never answered (so never persisted as told) and not passed on: most tests here look at messages
   * and at the events their commands cause only.
   */
  private static UserOutboxes messagesOnly(UserOutboxes outboxes) {
    return (user, cause, push) -> push.hasConversationMembership()
        ? new CompletableFuture<>() : outboxes.enqueue(user, cause, push);
  }

  private static ConversationSettings settings(int maxMembers) {
    return new ConversationSettings(new DedupWindow.Bounds(3, Duration.ofHours(24)), 1_000, 700, 100,
        Duration.ofMinutes(10), maxMembers, RetentionCriteria.disabled(),
        new FanOut.FanOutSettings(4, 2, 1, 1_000, 2, 3, Duration.ofMillis(20), Duration.ofMillis(100),
            Duration.ofSeconds(5)),
        new ConversationSettings.ParkedSettings(2, 2_000, Duration.ofMinutes(10), Duration.ofSeconds(5)),
        (persistenceId, from) -> PersistenceQuery.get(testKit.system())
            .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PersistenceTestKitReadJournal.Identifier())
            .currentEventsByPersistenceId(persistenceId, from, Long.MAX_VALUE));
  }

  /** What the fan-out put into a member's outbox. */
  private record Enqueued(String userId, String causeId, Push push) {}

  private EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState> conversation;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newConversation() {
    conversation = EventSourcedBehaviorTestKit.create(testKit.system(), ConversationEntity.create("c-1", testKit.system().ignoreRef(), SETTINGS, SILENT, Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    // Every test gets the same persistence id: start each from an empty journal, not the previous test's events.
    conversation.clear();
    var created = apply(create("m-create", "alice", "bob", "carol"));
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, created.reply().getRejectedCode());
  }

  @Test
  void sendsGetGapFreeSequenceNumbersInArrivalOrder() {
    for (int i = 1; i <= 5; i++) {
      var sender = i % 2 == 0 ? "bob" : "alice";
      var result = apply(send("m-" + i, sender, "text " + i));
      var stored = (ChatMessageAppended) (Object) result.event();
      assertEquals(i, stored.getConversationSeq());
      assertEquals(sender, stored.getSenderUserId());
    }
    assertEquals(5, conversation.restart().state().lastSeq);
  }

  @Test
  void aResendCreatesNothingNew() {
    apply(send("m-1", "alice", "hi"));
    var again = apply(send("m-1", "alice", "hi"));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().getDuplicate());
    assertEquals(1, again.state().lastSeq);
  }

  @Test
  void everyMemberGetsEveryMessageInConversationOrderAndTheProgressIsPersisted() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var fanned = fanOutConversation("c-fan", (user, cause, push) -> {
      outboxes.getRef().tell(new Enqueued(user, cause, push));
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    for (int i = 1; i <= 5; i++) {
      var record = record("f-" + i, "bob", ClientFrame.newBuilder()
          .setChatSend(ChatSend.newBuilder().setConversationId("c-fan").setText("text " + i)));
      var reply = fanned.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record, replyTo)).reply();
      assertTrue(reply.getPushesList().isEmpty(), "the reply does not wait for the fan-out");
    }
    var received = outboxes.receiveSeveralMessages(15, Duration.ofSeconds(10));
    for (var member : List.of("alice", "bob", "carol")) {
      var mine = received.stream().filter(e -> e.userId().equals(member)).toList();
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), mine.stream().map(e -> e.push().getChatMessage().getConversationSeq()).toList());
      assertEquals("f-3/chat/" + member, mine.get(2).causeId());
      assertEquals("bob", mine.get(2).push().getChatMessage().getSenderUserId());
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(5, fanned.getState().fannedOutSeq));
    assertEquals(5, fanned.restart().state().fannedOutSeq);
    outboxes.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aFanOutInterruptedByACrashResumesInOrderAfterTheRecovery() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var carolReachable = new AtomicBoolean(false);
    var fanned = fanOutConversation("c-crash", (user, cause, push) -> {
      if (user.equals("carol") && !carolReachable.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("carol's User entity does not answer"));
      }
      outboxes.getRef().tell(new Enqueued(user, cause, push));
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    for (int i = 1; i <= 3; i++) {
      fanned.<IngressApplied>runCommand(replyTo -> new ApplyRecord(
          record("k-" + UUID.randomUUID(), "alice", ClientFrame.newBuilder()
              .setChatSend(ChatSend.newBuilder().setConversationId("c-crash").setText("hello"))), replyTo));
    }
    // Message 1 reached alice and bob, never carol: it is not fanned out, and nothing after it was offered.
    assertTrue(outboxes.receiveSeveralMessages(2, Duration.ofSeconds(5)).stream()
        .allMatch(e -> e.push().getChatMessage().getConversationSeq() == 1));
    assertEquals(0, fanned.getState().fannedOutSeq);

    carolReachable.set(true);
    var recovered = fanned.restart().state();
    assertEquals(3, recovered.lastSeq);
    var carols = new java.util.ArrayList<Long>();
    while (carols.size() < 3) {
      var enqueued = outboxes.receiveMessage(Duration.ofSeconds(10));
      if (enqueued.userId().equals("carol")) {
        carols.add(enqueued.push().getChatMessage().getConversationSeq());
      }
    }
    assertEquals(List.of(1L, 2L, 3L), carols);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(3, fanned.getState().fannedOutSeq));
  }

  @Test
  void aThousandMemberFanOutDoesNotHoldUpNewSends() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var userEntitiesAnswer = new CompletableFuture<Done>();
    var members = IntStream.range(0, 1000).mapToObj(i -> "m" + i).toList();
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create("c-large", testKit.system().ignoreRef(), SETTINGS,
            messagesOnly((user, cause, push) -> userEntitiesAnswer.thenApply(done -> {
              outboxes.getRef().tell(new Enqueued(user, cause, push));
              return done;
            })), Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    kit.clear();
    kit.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("create-large", "m0", ClientFrame.newBuilder()
        .setCreateConversation(CreateConversation.newBuilder().setConversationId("c-large").addAllMemberUserIds(members))), replyTo));

    // While no member's outbox has taken message 1 yet, the next sends are applied and answered.
    for (int i = 1; i <= 10; i++) {
      var record = record("large-" + i, "m" + i, ClientFrame.newBuilder()
          .setChatSend(ChatSend.newBuilder().setConversationId("c-large").setText("hi " + i)));
      var applied = kit.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record, replyTo));
      assertEquals(i, ((ChatMessageAppended) (Object) applied.event()).getConversationSeq());
    }
    assertEquals(0, kit.getState().fannedOutSeq);

    userEntitiesAnswer.complete(Done.getInstance());
    var delivered = outboxes.receiveSeveralMessages(10 * members.size(), Duration.ofSeconds(60));
    var seqsOfOneMember = delivered.stream().filter(e -> e.userId().equals("m999"))
        .map(e -> e.push().getChatMessage().getConversationSeq()).toList();
    assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), seqsOfOneMember);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(10, kit.getState().fannedOutSeq));
  }

  @Test
  void theMessagesThatCameWhileARoundWasWrittenGoToEachMemberInOneWriteInOrder() {
    var rounds = testKit.<List<Enqueued>>createTestProbe();
    var firstRoundTaken = new CompletableFuture<Done>();
    var outboxes = new UserOutboxes() {
      @Override
      public CompletableFuture<Done> enqueue(String userId, String causeId, Push push) {
        return new CompletableFuture<>(); // membership notices: never answered, as messagesOnly does
      }

      @Override
      public CompletionStage<Done> enqueueAll(String userId, List<EnqueuePush.Entry> entries) {
        rounds.getRef().tell(entries.stream().map(entry -> new Enqueued(userId, entry.causeId(), entry.push()))
            .toList());
        var seq = entries.get(0).push().getChatMessage().getConversationSeq();
        return seq == 1 ? firstRoundTaken : CompletableFuture.completedFuture(Done.getInstance());
      }
    };
    var batching = new ConversationSettings(SETTINGS.dedup(), SETTINGS.recentMessagesMaxBytes(),
        SETTINGS.historyPageMaxBytes(), SETTINGS.mailboxCapacity(), SETTINGS.idleTimeout(), SETTINGS.maxMembers(),
        SETTINGS.retention(), new FanOut.FanOutSettings(4, 100, 4, 1_000, 2, 3, Duration.ofMillis(20),
            Duration.ofMillis(100), Duration.ofSeconds(5)), SETTINGS.parked(), SETTINGS.journal());
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create("c-rounds", testKit.system().ignoreRef(), batching, outboxes,
            Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    kit.clear();
    kit.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("create-rounds", "alice", ClientFrame.newBuilder()
        .setCreateConversation(CreateConversation.newBuilder().setConversationId("c-rounds").addMemberUserIds("bob"))),
        replyTo));
    for (int i = 1; i <= 6; i++) {
      var record = record("round-" + i, "alice", ClientFrame.newBuilder()
          .setChatSend(ChatSend.newBuilder().setConversationId("c-rounds").setText("m" + i)));
      kit.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record, replyTo));
    }
    assertEquals(2, rounds.receiveSeveralMessages(2, Duration.ofSeconds(5)).stream()
        .filter(round -> round.size() == 1 && seqs(round).equals(List.of(1L))).count(), "round 1: message 1 alone");

    firstRoundTaken.complete(Done.getInstance());
    var byMember = new java.util.HashMap<String, List<List<Long>>>();
    for (var round : rounds.receiveSeveralMessages(4, Duration.ofSeconds(5))) {
      byMember.computeIfAbsent(round.get(0).userId(), user -> new java.util.ArrayList<>()).add(seqs(round));
      assertTrue(round.stream().allMatch(e -> e.causeId().equals(e.push().getChatMessage().getMessageId() + "/chat/"
          + e.userId())), "each push keeps its own cause id");
    }
    var expected = List.of(List.of(2L, 3L, 4L, 5L), List.of(6L));
    assertEquals(Map.of("alice", expected, "bob", expected), byMember,
        "the next four in one write (batch-messages 4), then the last");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(6, kit.getState().fannedOutSeq));
  }

  private static List<Long> seqs(List<Enqueued> round) {
    return round.stream().map(e -> e.push().getChatMessage().getConversationSeq()).toList();
  }

  private EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState>
      fanOutConversation(String id, UserOutboxes outboxes) {
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create(id, testKit.system().ignoreRef(), SETTINGS, messagesOnly(outboxes),
            Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    kit.clear();
    kit.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("create-" + id, "alice", ClientFrame.newBuilder()
        .setCreateConversation(CreateConversation.newBuilder().setConversationId(id).addAllMemberUserIds(List.of("bob", "carol")))), replyTo));
    return kit;
  }

  @Test
  void aReadReceiptGoesToTheOtherMembers() {
    apply(send("m-1", "alice", "one"));
    var read = apply(read("r-1", "bob", 1));
    var pushes = read.reply().getPushesList();
    assertEquals(List.of("alice", "carol"), pushes.stream().map(PushIntent::getUserId).toList());
    assertEquals(1, pushes.get(0).getPush().getReadReceipt().getUpToSeq());
    assertEquals("bob", pushes.get(0).getPush().getReadReceipt().getUserId());
  }

  @Test
  void aNonMembersSendIsRefusedAsForbiddenAndAssignsNoSequence() {
    var refused = apply(send("m-1", "mallory", "let me in"));
    assertTrue(refused.hasNoEvents());
    assertEquals(NackCode.FORBIDDEN, refused.reply().getRejectedCode());
    var next = apply(send("m-2", "alice", "hi"));
    assertEquals(1, ((ChatMessageAppended) (Object) next.event()).getConversationSeq());
  }

  @Test
  void aReadReceiptForAConversationThatDoesNotExistIsRefusedAtOnce() {
    var nowhere = recordingConversation("c-nowhere", testKit.<Enqueued>createTestProbe());
    var read = nowhere.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("r-nowhere", "bob",
        ClientFrame.newBuilder().setChatRead(ChatRead.newBuilder().setConversationId("c-nowhere").setUpToSeq(3))), replyTo));
    assertEquals(NackCode.FORBIDDEN, read.reply().getRejectedCode());
    assertEquals("conversation c-nowhere does not exist", read.reply().getDetail());
    assertTrue(read.hasNoEvents());
  }

  @Test
  void readPointersOnlyMoveForwardAndNeverPastTheLastMessage() {
    apply(send("m-1", "alice", "one"));
    apply(send("m-2", "alice", "two"));
    apply(read("r-1", "bob", 99));
    assertEquals(2L, conversation.getState().readPointers.get("bob"));
    var backwards = apply(read("r-2", "bob", 1));
    assertTrue(backwards.hasNoEvents());
    assertEquals(2L, conversation.restart().state().readPointers.get("bob"));
  }

  @Test
  void sendsBeforeTheCreationWaitInTheConversationAndGetTheirPlacesInArrivalOrderOnceItExists() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var early = recordingConversation("c-early", outboxes);
    var now = System.currentTimeMillis();

    for (var send : List.of(early("e-1", "alice", "c-early", now), early("e-2", "mallory", "c-early", now))) {
      var parked = early.<IngressApplied>runCommand(replyTo -> new ApplyRecord(send, replyTo));
      assertEquals(NackCode.NACK_CODE_UNSPECIFIED, parked.reply().getRejectedCode(),
          "a parked send is applied: its sender's records move on");
      assertTrue((Object) parked.event() instanceof ChatSendParked, "stored as " + parked.event());
    }
    var resend = early.<IngressApplied>runCommand(replyTo -> new ApplyRecord(early("e-1", "alice", "c-early", now), replyTo));
    assertTrue(resend.reply().getDuplicate());
    // Two wait already (the capacity here): the next one is refused at once, to be sent again later.
    var full = early.<IngressApplied>runCommand(replyTo -> new ApplyRecord(early("e-3", "bob", "c-early", now), replyTo));
    assertEquals(NackCode.RETRY_LATER, full.reply().getRejectedCode());
    assertEquals(5_000, full.reply().getRetryAfterMs());
    assertTrue(full.hasNoEvents());
    assertEquals(2, early.restart().state().parked.size(), "parked sends are persisted");

    var created = early.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("create-early", "carol",
        ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder().setConversationId("c-early")
            .addAllMemberUserIds(List.of("alice", "bob")))), replyTo));
    var appended = (ChatMessageAppended) (Object) created.events().get(1);
    assertEquals("e-1", appended.getMessageId());
    assertEquals(1, appended.getConversationSeq());

    // alice's waiting message reaches every member; mallory, not a member, gets push.rejected.
    var received = outboxes.receiveSeveralMessages(4, Duration.ofSeconds(10));
    var refusal = received.stream().filter(e -> e.userId().equals("mallory")).findFirst().orElseThrow();
    assertEquals("e-2/rejected", refusal.causeId());
    assertEquals(NackCode.FORBIDDEN, refusal.push().getRejected().getCode());
    assertEquals(List.of("alice", "bob", "carol"), received.stream().filter(e -> e.push().hasChatMessage())
        .map(Enqueued::userId).sorted().toList());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(early.getState().parked.isEmpty()));
    var recovered = early.restart().state();
    assertTrue(recovered.parked.isEmpty());
    assertEquals(1, recovered.lastSeq);
    outboxes.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aParkedSendWhoseConversationIsNeverCreatedIsRefusedAfterTheTimeout() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var never = recordingConversation("c-never", outboxes);
    var anHourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    never.<IngressApplied>runCommand(replyTo -> new ApplyRecord(early("n-1", "alice", "c-never", anHourAgo), replyTo));

    // The check runs on recovery and on every idle check.
    never.restart();
    var refusal = outboxes.receiveMessage(Duration.ofSeconds(10));
    assertEquals("alice", refusal.userId());
    assertEquals("n-1/rejected", refusal.causeId());
    assertEquals(NackCode.FORBIDDEN, refusal.push().getRejected().getCode());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(never.getState().parked.isEmpty()));
    assertTrue(never.restart().state().parked.isEmpty());
  }

  private EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState>
      recordingConversation(String id, org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Enqueued> outboxes) {
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create(id, testKit.system().ignoreRef(), SETTINGS,
            messagesOnly((user, cause, push) -> {
              outboxes.getRef().tell(new Enqueued(user, cause, push));
              return CompletableFuture.completedFuture(Done.getInstance());
            }), Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    kit.clear();
    return kit;
  }

  private static IngressRecord early(String messageId, String sender, String conversationId, long ackedAtMs) {
    return record(messageId, sender, ClientFrame.newBuilder()
        .setChatSend(ChatSend.newBuilder().setConversationId(conversationId).setText("early " + messageId)))
        .toBuilder().setReceivedAtMs(ackedAtMs).build();
  }

  @Test
  void creatingAnExistingConversationIsRefusedExceptTheCreatorsResend() {
    var again = apply(create("m-other", "mallory", "alice"));
    assertTrue(again.hasNoEvents());
    assertEquals(NackCode.ALREADY_EXISTS, again.reply().getRejectedCode());
    assertEquals(List.of("alice", "bob", "carol"), List.copyOf(again.state().members));
    assertEquals(NackCode.ALREADY_EXISTS, apply(create("m-create-2", "alice", "mallory")).reply().getRejectedCode(),
        "a new creation by the owner is one too");

    // The deduplication window (3 here) forgets the creation; its resend is still the same creation.
    for (int i = 1; i <= 4; i++) {
      apply(send("m-" + i, "bob", "hi"));
    }
    assertFalse(conversation.getState().recentMessageIds.contains("alice", "m-create"));
    var resend = apply(create("m-create", "alice", "bob", "carol"));
    assertTrue(resend.hasNoEvents());
    assertTrue(resend.reply().getDuplicate());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, resend.reply().getRejectedCode());
    assertTrue(conversation.restart().state().creationMessageId.equals("m-create"), "persisted");
  }

  @Test
  void aMembershipChangesIdLeavesTheDeduplicationWindowByTimeAsEveryOtherId() {
    var added = apply(record("m-add", "alice", ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
        .setConversationId("c-1").addMemberUserIds("dave"))).toBuilder().setReceivedAtMs(2_000).build());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, added.reply().getRejectedCode());
    assertTrue(conversation.getState().recentMessageIds.contains("alice", "m-add"));

    // A frame received more than dedup-retention (24 h) after it: the add's id is past its horizon.
    apply(send("m-late", "bob", "a day later").toBuilder()
        .setReceivedAtMs(2_000 + Duration.ofHours(24).toMillis() + 1).build());
    assertFalse(conversation.getState().recentMessageIds.contains("alice", "m-add"), "left by time");
    assertTrue(conversation.getState().recentMessageIds.contains("bob", "m-late"));
    assertFalse(conversation.restart().state().recentMessageIds.contains("alice", "m-add"), "replay rebuilds the same");
  }

  @Test
  void membersAreToldTheConversationItsOwnerAndMembersOnceEvenAcrossACrash() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var carolReachable = new AtomicBoolean(false);
    var told = membershipConversation("c-told", outboxes, carolReachable, 256);
    told.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("create-told", "alice",
        ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder().setConversationId("c-told")
            .addAllMemberUserIds(List.of("bob", "carol")))), replyTo));
    var first = outboxes.receiveSeveralMessages(2, Duration.ofSeconds(10));
    assertEquals(List.of("alice", "bob"), first.stream().map(Enqueued::userId).sorted().toList());
    var notice = first.get(0).push().getConversationMembership();
    assertEquals("c-told", notice.getConversationId());
    assertEquals("alice", notice.getOwnerUserId());
    assertEquals(List.of("alice", "bob", "carol"), notice.getMemberUserIdsList());
    assertEquals(1, notice.getVersion());
    assertEquals("membership/1/c-told", first.get(0).causeId());
    assertEquals(0, told.getState().notifiedVersion, "carol has not got it");

    // Repeated, also after a crash (the User entities know its cause id), until everyone has it, then never.
    carolReachable.set(true);
    told.restart();
    var carols = outboxes.receiveMessage(Duration.ofSeconds(10));
    assertEquals("carol", carols.userId());
    assertEquals(notice, carols.push().getConversationMembership());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, told.getState().notifiedVersion));
    told.restart();
    outboxes.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void onlyTheOwnerAddsAndRemovesMembersAndEveryoneConcernedIsTold() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var kit = membershipConversation("c-own", outboxes, new AtomicBoolean(true), 256);
    applyTo(kit, "create-own", "alice", ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder()
        .setConversationId("c-own").addAllMemberUserIds(List.of("bob", "carol"))));
    outboxes.receiveSeveralMessages(3, Duration.ofSeconds(10));
    awaitTold(kit, 1);

    var byBob = applyTo(kit, "add-bob", "bob", ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
        .setConversationId("c-own").addMemberUserIds("mallory")));
    assertEquals(NackCode.FORBIDDEN, byBob.reply().getRejectedCode());
    assertTrue(byBob.hasNoEvents());
    var removeByBob = applyTo(kit, "remove-bob", "bob", ClientFrame.newBuilder().setRemoveMembers(RemoveMembers
        .newBuilder().setConversationId("c-own").addMemberUserIds("carol")));
    assertEquals(NackCode.FORBIDDEN, removeByBob.reply().getRejectedCode());

    var added = applyTo(kit, "add-dave", "alice", ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
        .setConversationId("c-own").addMemberUserIds("dave").addMemberUserIds("bob")));
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, added.reply().getRejectedCode());
    var addNotices = outboxes.receiveSeveralMessages(4, Duration.ofSeconds(10));
    assertEquals(List.of("alice", "bob", "carol", "dave"), addNotices.stream().map(Enqueued::userId).sorted().toList());
    assertEquals(List.of("alice", "bob", "carol", "dave"),
        addNotices.get(0).push().getConversationMembership().getMemberUserIdsList());
    assertEquals(2, addNotices.get(0).push().getConversationMembership().getVersion());

    applyTo(kit, "remove-bob-by-alice", "alice", ClientFrame.newBuilder().setRemoveMembers(RemoveMembers.newBuilder()
        .setConversationId("c-own").addMemberUserIds("bob")));
    var removeNotices = outboxes.receiveSeveralMessages(4, Duration.ofSeconds(10));
    assertEquals(List.of("alice", "bob", "carol", "dave"), removeNotices.stream().map(Enqueued::userId).sorted().toList(),
        "bob is told too");
    assertEquals(List.of("alice", "carol", "dave"),
        removeNotices.get(0).push().getConversationMembership().getMemberUserIdsList());

    // bob can no longer send or read, and gets no more of the conversation's messages.
    var bobSends = applyTo(kit, "bob-send", "bob", ClientFrame.newBuilder().setChatSend(ChatSend.newBuilder()
        .setConversationId("c-own").setText("still here?")));
    assertEquals(NackCode.FORBIDDEN, bobSends.reply().getRejectedCode());
    assertFalse(kit.<ConversationHistory>runCommand(replyTo -> new GetHistory("bob", 0, 10, replyTo)).reply().getFound());
    applyTo(kit, "dave-send", "dave", ClientFrame.newBuilder().setChatSend(ChatSend.newBuilder()
        .setConversationId("c-own").setText("welcome")));
    assertEquals(List.of("alice", "carol", "dave"), outboxes.receiveSeveralMessages(3, Duration.ofSeconds(10)).stream()
        .map(Enqueued::userId).sorted().toList());
    var recovered = kit.restart().state();
    assertEquals(List.of("alice", "carol", "dave"), List.copyOf(recovered.members));
    assertEquals("alice", recovered.owner);
    outboxes.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void leavingAConversationThatDoesNotExistIsRefusedAtOnceNotParked() {
    var nowhere = recordingConversation("c-not-yet", testKit.<Enqueued>createTestProbe());
    var leave = nowhere.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("leave-early", "bob",
        ClientFrame.newBuilder().setLeaveConversation(LeaveConversation.newBuilder().setConversationId("c-not-yet"))),
        replyTo));
    assertEquals(NackCode.FORBIDDEN, leave.reply().getRejectedCode());
    assertEquals("conversation c-not-yet does not exist", leave.reply().getDetail());
    assertTrue(leave.hasNoEvents(), "nothing parked: a leave never waits for a creation");
  }

  @Test
  void aMemberLeavesAndAnOwnerWhoLeavesHandsTheConversationToTheLongestStandingMember() {
    var outboxes = testKit.<Enqueued>createTestProbe();
    var kit = membershipConversation("c-leave", outboxes, new AtomicBoolean(true), 256);
    applyTo(kit, "create-leave", "alice", ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder()
        .setConversationId("c-leave").addAllMemberUserIds(List.of("bob", "carol"))));
    outboxes.receiveSeveralMessages(3, Duration.ofSeconds(10));

    applyTo(kit, "carol-leaves", "carol", ClientFrame.newBuilder().setLeaveConversation(LeaveConversation.newBuilder()
        .setConversationId("c-leave")));
    var left = outboxes.receiveSeveralMessages(3, Duration.ofSeconds(10));
    assertEquals(List.of("alice", "bob", "carol"), left.stream().map(Enqueued::userId).sorted().toList());
    assertEquals(List.of("alice", "bob"), left.get(0).push().getConversationMembership().getMemberUserIdsList());
    var again = applyTo(kit, "carol-leaves-again", "carol", ClientFrame.newBuilder()
        .setLeaveConversation(LeaveConversation.newBuilder().setConversationId("c-leave")));
    assertEquals(NackCode.FORBIDDEN, again.reply().getRejectedCode(), "no longer a member");

    applyTo(kit, "alice-leaves", "alice", ClientFrame.newBuilder().setLeaveConversation(LeaveConversation.newBuilder()
        .setConversationId("c-leave")));
    var handedOver = outboxes.receiveSeveralMessages(2, Duration.ofSeconds(10));
    assertEquals("bob", handedOver.get(0).push().getConversationMembership().getOwnerUserId());
    assertEquals(NackCode.FORBIDDEN, applyTo(kit, "alice-adds", "alice", ClientFrame.newBuilder()
        .setAddMembers(AddMembers.newBuilder().setConversationId("c-leave").addMemberUserIds("alice")))
        .reply().getRejectedCode());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, applyTo(kit, "bob-adds", "bob", ClientFrame.newBuilder()
        .setAddMembers(AddMembers.newBuilder().setConversationId("c-leave").addMemberUserIds("erin")))
        .reply().getRejectedCode());
    assertEquals("bob", kit.restart().state().owner);
  }

  @Test
  void aConversationPastItsMemberBoundIsRefusedAsTooManyMembers() {
    var kit = membershipConversation("c-bound", testKit.createTestProbe(), new AtomicBoolean(true), 4);
    var tooMany = applyTo(kit, "create-5", "alice", ClientFrame.newBuilder().setCreateConversation(CreateConversation
        .newBuilder().setConversationId("c-bound").addAllMemberUserIds(List.of("b", "c", "d", "e"))));
    assertEquals(NackCode.TOO_MANY_MEMBERS, tooMany.reply().getRejectedCode());
    assertTrue(tooMany.hasNoEvents());
    applyTo(kit, "create-4", "alice", ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder()
        .setConversationId("c-bound").addAllMemberUserIds(List.of("b", "c", "alice"))));
    awaitTold(kit, 1);
    var fifth = applyTo(kit, "add-e", "alice", ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
        .setConversationId("c-bound").addAllMemberUserIds(List.of("c", "d", "e"))));
    assertEquals(NackCode.TOO_MANY_MEMBERS, fifth.reply().getRejectedCode());
    assertTrue(fifth.hasNoEvents());
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, applyTo(kit, "add-d", "alice", ClientFrame.newBuilder()
        .setAddMembers(AddMembers.newBuilder().setConversationId("c-bound").addAllMemberUserIds(List.of("c", "d"))))
        .reply().getRejectedCode());
    assertEquals(4, kit.getState().members.size());
  }

  @Test
  void aSnapshotWrittenBeforeOwnersIsOwnedByItsFirstMemberAndItsMembersAreToldOnce() {
    var adapter = new ConversationSnapshotAdapter(new DedupWindow.Bounds(3, Duration.ofHours(24)));
    var old = adapter.fromJournal(ConversationSnapshot.newBuilder().setConversationId("c-old")
        .addAllMemberUserIds(List.of("alice", "bob")).setLastSeq(7).build());
    assertTrue(old.created());
    assertEquals("alice", old.owner);
    assertEquals(1, old.membershipVersion);
    assertEquals(0, old.notifiedVersion, "not told yet: its members get a notice when it recovers");
    var roundTrip = adapter.fromJournal(adapter.toJournal(old));
    assertEquals("alice", roundTrip.owner);
    assertFalse(adapter.fromJournal(ConversationSnapshot.newBuilder().setConversationId("c-none").build()).created());
  }

  private EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState>
      membershipConversation(String id, org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Enqueued> outboxes,
          AtomicBoolean carolReachable, int maxMembers) {
    // As User entities do, each user enqueues a cause once: repeated offers are not passed on.
    var enqueued = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create(id, testKit.system().ignoreRef(), settings(maxMembers),
            (user, cause, push) -> {
          if (user.equals("carol") && !carolReachable.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("carol's User entity does not answer"));
          }
          if (enqueued.add(user + " " + cause)) {
            outboxes.getRef().tell(new Enqueued(user, cause, push));
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        }, Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    kit.clear();
    return kit;
  }

  /** Once the notice of {@code version} is persisted as told, the next command's events are its own. */
  private static void awaitTold(
      EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState> kit, long version) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(version, kit.getState().notifiedVersion));
  }

  private static CommandResultWithReply<ConversationSignal, ConversationEntity.Event, ConversationState, IngressApplied>
      applyTo(EventSourcedBehaviorTestKit<ConversationSignal, ConversationEntity.Event, ConversationState> kit,
          String messageId, String user, ClientFrame.Builder frame) {
    return kit.runCommand(replyTo -> new ApplyRecord(record(messageId, user, frame), replyTo));
  }

  @Test
  void twoUsersMayChooseTheSameMessageIdAndBothMessagesAreKept() {
    var alice = apply(send("m-same", "alice", "from alice"));
    var bob = apply(send("m-same", "bob", "from bob"));
    assertFalse(bob.reply().getDuplicate(), "message ids are unique per device, not across users");
    assertEquals(2, bob.state().lastSeq);
    assertTrue(apply(send("m-same", "bob", "from bob")).reply().getDuplicate(), "bob's resend is one");
    assertTrue(conversation.restart().state().recentMessageIds.contains("alice", "m-same"), "remembered with its user after recovery");
    assertFalse(alice.reply().getDuplicate());
  }

  @Test
  void bigMessagesAreBoundedInBytesInMemoryAndInHistoryPages() {
    for (int i = 1; i <= 3; i++) {
      apply(send("big-" + i, "alice", String.valueOf(i).repeat(400)));
    }
    var state = conversation.getState();
    assertEquals(List.of(2L, 3L), state.recentMessages.stream().map(m -> m.conversationSeq()).toList(),
        "two of about 450 bytes fit in 1,000");
    assertTrue(state.recentBytes <= 1_000, "bytes kept: " + state.recentBytes);
    assertEquals(state.recentBytes, conversation.restart().state().recentBytes, "derived again on recovery");

    // A page of 10 holds what fits in 700 bytes: one of them, the next page goes on from there.
    var fromMemory = conversation.<ConversationHistory>runCommand(replyTo -> new GetHistory("carol", 1, 10, replyTo)).reply();
    assertEquals(List.of(2L), fromMemory.getMessagesList().stream().map(ChatMessage::getConversationSeq).toList());
    var reader = testKit.<ConversationHistory>createTestProbe();
    conversation.runCommand(new GetHistory("carol", 0, 10, reader.ref()));
    assertEquals(List.of(1L), reader.receiveMessage(Duration.ofSeconds(10)).getMessagesList().stream()
        .map(ChatMessage::getConversationSeq).toList(), "from the journal, the same bound");
  }

  @Test
  void aParkedSendOverTheParkingsBytesIsToldToComeBackLater() {
    var early = recordingConversation("c-big-early", testKit.<Enqueued>createTestProbe());
    var now = System.currentTimeMillis();
    var big = ClientFrame.newBuilder().setSentAtMs(now).setChatSend(ChatSend.newBuilder().setConversationId("c-big-early")
        .setText("x".repeat(2_500)));
    var refused = early.<IngressApplied>runCommand(replyTo -> new ApplyRecord(record("big-early", "alice", big),
        replyTo));
    assertEquals(NackCode.RETRY_LATER, refused.reply().getRejectedCode());
    assertTrue(refused.hasNoEvents());
  }

  @Test
  void historyPagesAreAscendingFromMemoryAndFromTheJournalForMembersOnly() {
    for (int i = 1; i <= 6; i++) {
      apply(send("m-" + i, i % 2 == 0 ? "bob" : "alice", "text " + i));
    }
    var recent = conversation.<ConversationHistory>runCommand(replyTo -> new GetHistory("carol", 4, 10, replyTo)).reply();
    assertEquals(List.of(5L, 6L), recent.getMessagesList().stream().map(ChatMessage::getConversationSeq).toList());
    assertEquals(6, recent.getLastSeq());

    // Older than the 3 kept in memory: read from the journal, answered asynchronously.
    var reader = testKit.<ConversationHistory>createTestProbe();
    conversation.runCommand(new GetHistory("carol", 0, 4, reader.ref()));
    var older = reader.receiveMessage(Duration.ofSeconds(10));
    assertEquals(List.of(1L, 2L, 3L, 4L), older.getMessagesList().stream().map(ChatMessage::getConversationSeq).toList());
    assertEquals("text 2", older.getMessages(1).getText());
    assertEquals("bob", older.getMessages(1).getSenderUserId());

    var outsider = conversation.<ConversationHistory>runCommand(replyTo -> new GetHistory("mallory", 0, 10, replyTo)).reply();
    assertFalse(outsider.getFound());
    assertTrue(outsider.getMessagesList().isEmpty());
  }

  @Test
  void aFailedPersistRestartsTheConversationWhichAppliesTheNextRecord() {
    var id = "c-" + UUID.randomUUID();
    PersistenceTestKit.create(testKit.system()).failNextPersisted(ConversationEntity.persistenceId(id).id());
    var entity = testKit.spawn(ConversationEntity.create(id, testKit.system().ignoreRef(), SETTINGS, SILENT, Clock.systemUTC()));
    // The creation's write fails: no reply for it (the pipeline redelivers the record); the entity restarts, recovers
    // and applies what comes next, instead of stopping.
    entity.tell(new ApplyRecord(create("m-create", "alice", "bob"),
        testKit.<IngressApplied>createTestProbe().ref()));
    var replies = testKit.<IngressApplied>createTestProbe();
    entity.tell(new ApplyRecord(create("m-create", "alice", "bob"), replies.ref()));
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, replies.receiveMessage(Duration.ofSeconds(10)).getRejectedCode());
    entity.tell(new ApplyRecord(send("m-1", "bob", "hello"), replies.ref()));
    var sent = replies.receiveMessage();
    assertEquals(NackCode.NACK_CODE_UNSPECIFIED, sent.getRejectedCode(), "the conversation exists after the restart");
    assertFalse(sent.getDuplicate());
  }

  @Test
  void aHistoryPageTheJournalCannotGiveIsAnsweredAsReadFailed() {
    var unreadable = new ConversationSettings(SETTINGS.dedup(), SETTINGS.recentMessagesMaxBytes(),
        SETTINGS.historyPageMaxBytes(), SETTINGS.mailboxCapacity(), SETTINGS.idleTimeout(), SETTINGS.maxMembers(),
        SETTINGS.retention(), SETTINGS.fanOut(), SETTINGS.parked(),
        (persistenceId, from) -> Source.failed(new IllegalStateException("journal unavailable")));
    var kit = EventSourcedBehaviorTestKit.<ConversationSignal, ConversationEntity.Event, ConversationState>create(
        testKit.system(), ConversationEntity.create("c-unreadable", testKit.system().ignoreRef(), unreadable, SILENT,
            Clock.systemUTC()),
        new SerializationSettings(true, false, true, true, false));
    applyTo(kit, "m-create", "alice", create("m-create", "alice", "carol").getFrame().toBuilder());
    for (int i = 1; i <= 5; i++) {
      applyTo(kit, "m-" + i, "alice", send("m-" + i, "alice", "text " + i).getFrame().toBuilder());
    }
    // Older than the 3 messages kept in memory: the page needs the journal, which fails. The reader is told so,
    // instead of waiting for an answer that never comes.
    var reader = testKit.<ConversationHistory>createTestProbe();
    kit.runCommand(new GetHistory("carol", 0, 4, reader.ref()));
    var failed = reader.receiveMessage(Duration.ofSeconds(10));
    assertTrue(failed.getFound());
    assertTrue(failed.getReadFailed());
    assertTrue(failed.getMessagesList().isEmpty());
    assertEquals(5, failed.getLastSeq());
  }

  private CommandResultWithReply<ConversationSignal, ConversationEntity.Event, ConversationState, IngressApplied>
      apply(IngressRecord record) {
    return conversation.runCommand(replyTo -> new ApplyRecord(record, replyTo));
  }

  private static IngressRecord create(String messageId, String creator, String... members) {
    return record(messageId, creator, ClientFrame.newBuilder().setCreateConversation(
        CreateConversation.newBuilder().setConversationId("c-1").addAllMemberUserIds(List.of(members))));
  }

  private static IngressRecord send(String messageId, String sender, String text) {
    return record(messageId, sender, ClientFrame.newBuilder().setChatSend(ChatSend.newBuilder().setConversationId("c-1").setText(text)));
  }

  private static IngressRecord read(String messageId, String reader, long upTo) {
    return record(messageId, reader, ClientFrame.newBuilder().setChatRead(ChatRead.newBuilder().setConversationId("c-1").setUpToSeq(upTo)));
  }

  private static IngressRecord record(String messageId, String user, ClientFrame.Builder frame) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId(user).setDeviceId("dev-" + UUID.randomUUID())
        .setReceivedAtMs(1_000).setFrame(frame.setMessageId(messageId)).build();
  }
}
