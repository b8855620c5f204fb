package io.herald.chat.conversation;

import com.google.protobuf.CodedOutputStream;
import io.herald.persistence.DedupEvictions;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.PersistLatency;
import io.herald.protocol.cluster.ApplyToConversation;
import io.herald.protocol.cluster.ConversationSignal;
import io.herald.protocol.cluster.GetHistory;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.cluster.Outcomes;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ConversationMembership;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ReadReceipt;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.concurrent.Continuations;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.device.v1.Rejected;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One conversation: the single writer that gives its messages one total order. {@code chat_send} gets the next
 * {@code conversation_seq} (gap-free from 1) and is persisted before the reply; resends are answered from the
 * deduplication window; non-members are refused with FORBIDDEN.
 *
 * <p>Membership is by consent: the creator owns the conversation and alone adds and removes members; a member may
 * leave; a second creation of the same id is refused (ALREADY_EXISTS). Every member, and every user who left or was
 * removed, is told the conversation's members by a push ({@code conversation_membership}) that the entity delivers
 * itself and whose delivery it persists ({@link MembersNotified}), so a crash repeats it rather than losing it.
 *
 * <p>The reply does not wait for the fan-out: a child {@link FanOut} puts each message into every member's outbox in
 * conversation order, and the entity persists its progress ({@link FanOutProgressed}). The entity type remembers its
 * entities, so a conversation whose fan-out was interrupted by a crash is started again on another node and resumes
 * it; a conversation passivates itself once its fan-out is done and it has been idle.
 */
public final class ConversationEntity extends EventSourcedBehaviorWithEnforcedReplies<
    ConversationSignal, ConversationEntity.Event, ConversationEntity.State> {

  public static final EntityTypeKey<ConversationSignal> TYPE_KEY = ConversationSignal.TYPE_KEY;

  /** The entity's own commands, from its fan-out and its timer; never sent across nodes. */
  sealed interface Command extends ConversationSignal {}

  /** Every message up to {@code upToSeq} is in every member's outbox. */
  record FannedOut(long upToSeq) implements Command {}

  /** The fan-out asks for the messages after {@code afterSeq}, answered with a {@link FanOut.Page}. */
  record PageForFanOut(long afterSeq, int limit, ActorRef<FanOut.Command> replyTo) implements Command {}

  private record IdleCheck() implements Command {}

  /** The sender of a parked send has its push.rejected in its outbox. */
  private record ParkedRefusalDelivered(String messageId) implements Command {}

  /** A parked send's refusal could not be delivered yet; the next idle check tries again. */
  private record ParkedRefusalFailed(String messageId, Throwable cause) implements Command {}

  /** Every recipient of the membership notice of {@code version} has it in its outbox. */
  private record MembersTold(long version) implements Command {}

  /** The membership notice of {@code version} could not reach every recipient; tried again after a backoff. */
  private record MembersNotTold(long version, Throwable cause) implements Command {}

  private record NoticeRetry() implements Command {}

  public sealed interface Event {}

  public record Created(String messageId, String creatorUserId, List<String> memberUserIds, long createdAtMs)
      implements Event {}

  public record MessageAppended(
      String messageId, long conversationSeq, String senderUserId, String text, long sentAtMs, long receivedAtMs)
      implements Event {}

  /** {@code atMs}: when the gateway received the chat_read (0 in events written before it was kept). */
  public record ReadPointerMoved(String messageId, String userId, long upToSeq, long atMs) implements Event {}

  public record FanOutProgressed(long upToSeq) implements Event {}

  /** A chat_send that came before the conversation's creation waits here (see {@link #park}). */
  public record SendParked(ParkedSend send) implements Event {}

  public record ParkedSendRefused(String messageId) implements Event {}

  public record ParkedSend(String messageId, String senderUserId, String text, long sentAtMs, long receivedAtMs) {}

  /**
   * Members added and removed by one frame of {@code byUserId}; {@code ownerUserId} is the new owner when the owner
   * left (empty: unchanged). {@code atMs}: when the gateway received the frame (0 in events written before it was
   * kept).
   */
  public record MembersChanged(String messageId, String byUserId, List<String> added, List<String> removed,
      String ownerUserId, long atMs) implements Event {}

  /** Every member, and every user removed up to {@code version}, has the membership notice of {@code version}. */
  public record MembersNotified(long version) implements Event {}

  /** Only the event handler changes it. */
  public static final class State {
    final String conversationId;
    // Longest-standing first.
    final LinkedHashSet<String> members;
    // Adds and removes members. Before owners existed the creator, who is also the first member.
    String owner;
    // The creation, to answer its resend as a duplicate even after it left the deduplication window.
    String creatorUserId;
    String creationMessageId;
    // 1 once created, one more per membership change; 0: not created (the id is free).
    long membershipVersion;
    // Every member and former member has been told the membership of this version.
    long notifiedVersion;
    // Users removed (or who left) since the last notice, with the version that removed them, bounded by max-members.
    final LinkedHashMap<String, Long> formerMembers;
    long lastSeq;
    long fannedOutSeq;
    final Map<String, Long> readPointers;
    final DedupWindow recentMessageIds;
    // The last messages, oldest first, bounded like the dedup window: a resend repeats their pushes from here.
    final ArrayDeque<MessageAppended> recentMessages;
    // Sends that came before the creation, oldest first, bounded by parked.capacity. Once the conversation exists
    // only refusals (senders who are not members) are left here, until their push.rejected is delivered.
    final ArrayDeque<ParkedSend> parked;
    // Derived from recentMessages and parked: their bytes, bounded by recent-messages-max-bytes and parked.max-bytes.
    long recentBytes;
    long parkedBytes;

    State(String conversationId, List<String> members, Membership membership, long lastSeq, long fannedOutSeq,
        Map<String, Long> readPointers, DedupWindow recent, ArrayDeque<MessageAppended> recentMessages,
        ArrayDeque<ParkedSend> parked) {
      this.conversationId = conversationId;
      this.members = new LinkedHashSet<>(members);
      this.owner = membership.owner();
      this.creatorUserId = membership.creatorUserId();
      this.creationMessageId = membership.creationMessageId();
      this.membershipVersion = membership.version();
      this.notifiedVersion = membership.notifiedVersion();
      this.formerMembers = new LinkedHashMap<>(membership.formerMembers());
      this.lastSeq = lastSeq;
      this.fannedOutSeq = fannedOutSeq;
      this.readPointers = readPointers;
      this.recentMessageIds = recent;
      this.recentMessages = recentMessages;
      this.parked = parked;
      this.recentBytes = recentMessages.stream().mapToLong(ConversationEntity::bytes).sum();
      this.parkedBytes = parked.stream().mapToLong(ConversationEntity::bytes).sum();
    }

    boolean created() {
      return membershipVersion > 0;
    }
  }

  /** The membership part of a recovered state (see {@link State}). */
  record Membership(String owner, String creatorUserId, String creationMessageId, long version, long notifiedVersion,
      Map<String, Long> formerMembers) {
    static final Membership NONE = new Membership("", "", "", 0, 0, Map.of());
  }

  public static Behavior<ConversationSignal> create(
      String conversationId, ActorRef<ClusterSharding.ShardCommand> shard, ConversationSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new IdleCheck(), settings.idleTimeout());
      return new ConversationEntity(context, timers, shard, conversationId, settings);
    }));
  }

  /** A message's size in memory and in a snapshot, near enough to bound them: its strings in UTF-8 and its numbers. */
  static long bytes(MessageAppended message) {
    return CodedOutputStream.computeStringSizeNoTag(message.text()) + CodedOutputStream.computeStringSizeNoTag(message.messageId())
        + CodedOutputStream.computeStringSizeNoTag(message.senderUserId()) + 32;
  }

  static long bytes(ParkedSend send) {
    return CodedOutputStream.computeStringSizeNoTag(send.text()) + CodedOutputStream.computeStringSizeNoTag(send.messageId())
        + CodedOutputStream.computeStringSizeNoTag(send.senderUserId()) + 24;
  }

  public static PersistenceId persistenceId(String conversationId) {
    return PersistenceId.of(TYPE_KEY.name(), conversationId);
  }

  private final String conversationId;
  private final ConversationTags tags;
  private final ConversationSettings settings;
  private final PersistLatency persistLatency = new PersistLatency(ConversationSignal.ENTITY_TYPE);
  private final DedupEvictions dedupEvictions = new DedupEvictions(ConversationSignal.ENTITY_TYPE);

  private final ActorContext<ConversationSignal> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<FanOut.Command> fanOut;
  // Actor-local: the last seq seen by the previous idle check.
  private long seqAtLastIdleCheck = -1;
  // Actor-local: parked sends whose refusal is on its way to the sender's outbox.
  private final Set<String> refusing = new HashSet<>();
  private final TimerScheduler<ConversationSignal> timers;
  // Actor-local: the membership version whose notice is on its way (0: none), and failed rounds in a row.
  private long noticeInFlight;
  private int noticeAttempts;

  private ConversationEntity(ActorContext<ConversationSignal> context, TimerScheduler<ConversationSignal> timers,
      ActorRef<ClusterSharding.ShardCommand> shard, String conversationId, ConversationSettings settings) {
    super(persistenceId(conversationId));
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.conversationId = conversationId;
    this.settings = settings;
    this.fanOut = context.spawn(FanOut.create(context.getSelf(), settings.fanOut(), settings.outboxes()), "fan-out");
    this.tags = ConversationTags.forSystem(context.getSystem());
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags.tagsFor(conversationId, event);
  }

  @Override
  public State emptyState() {
    return new State(conversationId, List.of(), Membership.NONE, 0, 0, new HashMap<>(),
        new DedupWindow(settings.dedup()), new ArrayDeque<>(), new ArrayDeque<>());
  }

  @Override
  public CommandHandlerWithReply<ConversationSignal, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ApplyToConversation.class, (State state, ApplyToConversation apply) -> apply(state, apply))
        .onCommand(GetHistory.class, (State state, GetHistory get) -> history(state, get))
        .onCommand(PageForFanOut.class, (State state, PageForFanOut get) -> pageForFanOut(state, get))
        .onCommand(FannedOut.class, (State state, FannedOut done) -> fannedOut(state, done))
        .onCommand(IdleCheck.class, (State state, IdleCheck check) -> idleCheck(state))
        .onCommand(ParkedRefusalDelivered.class, (State state, ParkedRefusalDelivered delivered) -> {
          refusing.remove(delivered.messageId());
          return Effect().persist(new ParkedSendRefused(delivered.messageId())).thenNoReply();
        })
        .onCommand(ParkedRefusalFailed.class, (State state, ParkedRefusalFailed failed) -> {
          refusing.remove(failed.messageId());
          context.getLog().warn("The refusal of parked send {} could not be delivered yet (again at the next idle "
              + "check): {}", failed.messageId(), failed.cause().toString());
          return Effect().noReply();
        })
        .onCommand(MembersTold.class, (State state, MembersTold told) -> membersTold(state, told))
        .onCommand(MembersNotTold.class, (State state, MembersNotTold failed) -> {
          noticeInFlight = 0;
          noticeAttempts++;
          var backoff = settings.fanOut().backoff(noticeAttempts);
          context.getLog().warn("The membership notice {} of {} did not reach every recipient (attempt {}), again in {} "
              + "ms: {}", failed.version(), conversationId, noticeAttempts, backoff.toMillis(), failed.cause().toString());
          timers.startSingleTimer(new NoticeRetry(), backoff);
          return Effect().noReply();
        })
        .onCommand(NoticeRetry.class, (State state, NoticeRetry retry) -> {
          notifyMembers(state);
          return Effect().noReply();
        })
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // Early dedup evictions are reported from here on, not again for replayed events.
          state.recentMessageIds.reportTo(dedupEvictions);
          wakeFanOut(state);
          refuseParked(state);
          notifyMembers(state);
        })
        .build();
  }

  private void wakeFanOut(State state) {
    if (state.fannedOutSeq < state.lastSeq) {
      fanOut.tell(new FanOut.Wake(state.fannedOutSeq, state.lastSeq, List.copyOf(state.members)));
    }
  }

  /** Progress is persisted every few messages and when the fan-out caught up; a crash repeats at most those few. */
  private ReplyEffect<Event, State> fannedOut(State state, FannedOut done) {
    var behind = done.upToSeq() - state.fannedOutSeq;
    if (behind <= 0 || (behind < settings.fanOut().progressEvery() && done.upToSeq() < state.lastSeq)) {
      return Effect().noReply();
    }
    return Effect().persist(new FanOutProgressed(done.upToSeq())).thenNoReply();
  }

  private ReplyEffect<Event, State> pageForFanOut(State state, PageForFanOut get) {
    messagesAfter(state, get.afterSeq(), get.limit()).whenCompleteAsync((page, failure) -> {
      if (failure != null) {
        context.getLog().warn("Fan-out of {} could not read its messages: {}", conversationId, failure.toString());
      }
      get.replyTo().tell(new FanOut.Page(failure != null ? List.of()
          : page.stream().map(this::chatMessage).toList()));
    }, context.getSystem().executionContext());
    return Effect().noReply();
  }

  /**
   * Idle: no new message since the last check, the fan-out done and nothing parked. Remembered entities must leave by
   * themselves; one with parked sends stays, so that their timeout is kept.
   */
  private ReplyEffect<Event, State> idleCheck(State state) {
    wakeFanOut(state);
    refuseParked(state);
    notifyMembers(state);
    if (state.fannedOutSeq >= state.lastSeq && state.lastSeq == seqAtLastIdleCheck && state.parked.isEmpty()
        && state.notifiedVersion >= state.membershipVersion) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    seqAtLastIdleCheck = state.lastSeq;
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> apply(State state, ApplyToConversation command) {
    var record = command.record();
    var messageId = record.getMessageId();
    if (state.recentMessageIds.contains(record.getUserId(), messageId)) {
      // A chat message's fan-out is the entity's own; a read receipt's pushes are repeated (idempotent by cause id).
      return Effect().reply(command.replyTo(), Outcomes.withPushes(Outcomes.applied(messageId, true), pushesFor(state, record)));
    }
    var frame = record.getFrame();
    var user = record.getUserId();
    var started = PersistLatency.start();
    return switch (frame.getBodyCase()) {
      case CREATE_CONVERSATION -> {
        if (state.created()) {
          if (user.equals(state.creatorUserId) && messageId.equals(state.creationMessageId)) {
            // The creator's resend, after the deduplication window forgot it: still the same creation.
            yield Effect().reply(command.replyTo(), Outcomes.applied(messageId, true));
          }
          yield Effect().reply(command.replyTo(),
              Outcomes.rejected(messageId, NackCode.ALREADY_EXISTS, "conversation " + conversationId + " already exists"));
        }
        var members = new LinkedHashSet<String>();
        members.add(user);
        members.addAll(frame.getCreateConversation().getMemberUserIdsList());
        if (members.size() > settings.maxMembers()) {
          yield tooManyMembers(command, members.size());
        }
        // The sends that waited for the creation get their places now, in the order they arrived; the others are
        // refused once the creation is persisted.
        var events = new ArrayList<Event>();
        events.add(new Created(messageId, user, List.copyOf(members), record.getReceivedAtMs()));
        var seq = state.lastSeq;
        for (var parked : state.parked) {
          if (members.contains(parked.senderUserId())) {
            events.add(new MessageAppended(parked.messageId(), ++seq, parked.senderUserId(), parked.text(),
                parked.sentAtMs(), parked.receivedAtMs()));
          }
        }
        yield Effect().persist(events)
            .thenRun(s -> persistLatency.since(started))
            .thenRun(this::wakeFanOut)
            .thenRun(this::refuseParked)
            .thenRun(this::notifyMembers)
            .thenReply(command.replyTo(), s -> Outcomes.applied(messageId, false));
      }
      case ADD_MEMBERS -> {
        var refusal = ownerOnly(state, command, "add members to");
        if (refusal != null) {
          yield refusal;
        }
        var added = frame.getAddMembers().getMemberUserIdsList().stream().distinct()
            .filter(member -> !state.members.contains(member)).toList();
        if (state.members.size() + added.size() > settings.maxMembers()) {
          yield tooManyMembers(command, state.members.size() + added.size());
        }
        yield changeMembers(command, added, List.of(), "");
      }
      case REMOVE_MEMBERS -> {
        var refusal = ownerOnly(state, command, "remove members from");
        if (refusal != null) {
          yield refusal;
        }
        var removed = frame.getRemoveMembers().getMemberUserIdsList().stream().distinct()
            .filter(state.members::contains).toList();
        yield changeMembers(command, List.of(), removed, successor(state, removed));
      }
      case LEAVE_CONVERSATION -> {
        if (!state.created()) {
          yield doesNotExist(command);
        }
        if (!state.members.contains(user)) {
          yield notAMember(command, user);
        }
        yield changeMembers(command, List.of(), List.of(user), successor(state, List.of(user)));
      }
      case CHAT_SEND -> {
        if (!state.created()) {
          yield park(state, command);
        }
        if (!state.members.contains(user)) {
          yield notAMember(command, user);
        }
        var send = frame.getChatSend();
        yield Effect().persist(new MessageAppended(messageId, state.lastSeq + 1, user, send.getText(),
                frame.getSentAtMs(), record.getReceivedAtMs()))
            .thenRun(s -> persistLatency.since(started))
            .thenRun(this::wakeFanOut)
            .thenReply(command.replyTo(), s -> Outcomes.applied(messageId, false));
      }
      case CHAT_READ -> {
        if (!state.created()) {
          // Nothing of it can have reached the reader: only members are told of a conversation, once it exists.
          yield doesNotExist(command);
        }
        if (!state.members.contains(user)) {
          yield notAMember(command, user);
        }
        // A read pointer only moves forward, and never past the last message.
        var upTo = Math.min(frame.getChatRead().getUpToSeq(), state.lastSeq);
        if (upTo <= state.readPointers.getOrDefault(user, 0L)) {
          yield Effect().reply(command.replyTo(), Outcomes.applied(messageId, false));
        }
        yield Effect().persist(new ReadPointerMoved(messageId, user, upTo, record.getReceivedAtMs()))
            .thenRun(s -> persistLatency.since(started))
            .thenReply(command.replyTo(), s -> Outcomes.withPushes(Outcomes.applied(messageId, false), pushesFor(s, record)));
      }
      default -> Effect().reply(command.replyTo(),
          Outcomes.rejected(messageId, NackCode.INVALID, "not a conversation frame: " + frame.getBodyCase()));
    };
  }

  /**
   * History is served from the journal, which is the conversation's history: recent pages from the messages the entity
   * keeps in memory, older ones by reading the journal by persistence id (no projection to keep consistent, no extra
   * writes; a page costs one partition read bounded by its limit).
   */
  private ReplyEffect<Event, State> history(State state, GetHistory get) {
    if (!state.members.contains(get.requesterUserId())) {
      return Effect().reply(get.replyTo(),
          ConversationHistory.newBuilder().setFound(false).setConversationId(conversationId).build());
    }
    var lastSeq = state.lastSeq;
    messagesAfter(state, get.afterSeq(), get.limit()).whenCompleteAsync((page, failure) -> {
      if (page != null) {
        get.replyTo().tell(historyPage(page, lastSeq));
      } else {
        context.getLog().warn("History of {} could not be read: {}", conversationId, failure.toString());
      }
    }, context.getSystem().executionContext());
    return Effect().noReply();
  }

  /**
   * Messages after {@code afterSeq}, ascending, at most {@code limit} and at most {@code history-page-max-bytes} of
   * them (at least one): from the ones kept in memory when they reach back far enough, else by reading the journal
   * by persistence id.
   */
  private CompletionStage<List<ChatMessageAppended>> messagesAfter(State state, long afterSeq, int limit) {
    var oldestInMemory = state.recentMessages.isEmpty() ? state.lastSeq + 1 : state.recentMessages.peekFirst().conversationSeq();
    if (afterSeq + 1 >= oldestInMemory) {
      return CompletableFuture.completedFuture(withinPageBytes(state.recentMessages.stream()
          .filter(m -> m.conversationSeq() > afterSeq).limit(limit).map(ConversationEventAdapter::toProto).toList()));
    }
    // Each message's journal sequence number is above its conversation_seq (creation came first).
    return settings.journal().apply(persistenceId().id(), afterSeq + 1)
        .map(envelope -> envelope.event())
        .filter(event -> event instanceof ChatMessageAppended appended && appended.getConversationSeq() > afterSeq)
        .map(ChatMessageAppended.class::cast)
        .take(limit)
        .runWith(Sink.seq(), context.getSystem())
        .thenApply(this::withinPageBytes);
  }

  /** The longest prefix within history-page-max-bytes, never empty if the page is not. */
  private List<ChatMessageAppended> withinPageBytes(List<ChatMessageAppended> page) {
    long bytes = 0;
    for (int i = 0; i < page.size(); i++) {
      bytes += page.get(i).getSerializedSize();
      if (bytes > settings.historyPageMaxBytes() && i > 0) {
        return page.subList(0, i);
      }
    }
    return page;
  }

  private ConversationHistory historyPage(java.util.List<ChatMessageAppended> page, long lastSeq) {
    return ConversationHistory.newBuilder().setFound(true).setConversationId(conversationId).setLastSeq(lastSeq)
        .addAllMessages(page.stream().map(this::chatMessage).toList())
        .build();
  }

  private ChatMessage chatMessage(ChatMessageAppended m) {
    return ChatMessage.newBuilder().setConversationId(conversationId).setConversationSeq(m.getConversationSeq())
        .setSenderUserId(m.getSenderUserId()).setMessageId(m.getMessageId()).setText(m.getText())
        .setSentAtMs(m.getSentAtMs()).build();
  }

  /** A read receipt goes to the other members with the read pointer it moved. */
  private static List<PushIntent> pushesFor(State state, IngressRecord record) {
    var frame = record.getFrame();
    if (!frame.hasChatRead()) {
      return List.of();
    }
    var reader = record.getUserId();
    var upTo = state.readPointers.getOrDefault(reader, 0L);
    return state.members.stream().filter(member -> !member.equals(reader)).map(member -> PushIntent.newBuilder()
        .setUserId(member).setCauseId(record.getMessageId() + "/receipt/" + member)
        .setPush(Push.newBuilder().setReadReceipt(ReadReceipt.newBuilder().setConversationId(state.conversationId)
            .setUserId(reader).setUpToSeq(upTo)))
        .build()).toList();
  }

  /**
   * The creation may still be on its way from the creator's partition (acked is not applied). The send waits here,
   * persisted, so its sender's records move on (a consumer that held it would hold up every record of that user
   * behind it, perhaps the creation itself). When {@code parked.capacity} sends already wait, the sender is told to
   * send again later (push.rejected RETRY_LATER): nothing waits in the pipeline.
   */
  private ReplyEffect<Event, State> park(State state, ApplyToConversation command) {
    var record = command.record();
    var send = record.getFrame().getChatSend();
    var parked = new ParkedSend(record.getMessageId(), record.getUserId(), send.getText(),
        record.getFrame().getSentAtMs(), record.getReceivedAtMs());
    if (state.parked.size() >= settings.parked().capacity()
        || state.parkedBytes + bytes(parked) > settings.parked().maxBytes()) {
      return Effect().reply(command.replyTo(), Outcomes.retryLater(record.getMessageId(),
          settings.parked().retryAfter().toMillis(), state.parked.size() + " sends (" + state.parkedBytes
              + " bytes) already wait for conversation " + conversationId + " to be created"));
    }
    var started = PersistLatency.start();
    return Effect().persist(new SendParked(parked))
        .thenRun(s -> persistLatency.since(started))
        .thenReply(command.replyTo(), s -> Outcomes.applied(record.getMessageId(), false));
  }

  /**
   * Parked sends that will never get a place: their sender is not a member of the created conversation, or no
   * creation came within {@code parked.timeout} of the ack. Each sender gets push.rejected (FORBIDDEN, the same cause
   * id the pipeline uses for refusals), then the refusal is persisted; a crash in between repeats the push, which the
   * User entity recognises.
   */
  private void refuseParked(State state) {
    var now = System.currentTimeMillis();
    for (var parked : state.parked) {
      var expired = now - parked.receivedAtMs() >= settings.parked().timeout().toMillis();
      if ((!state.created() && !expired) || !refusing.add(parked.messageId())) {
        continue;
      }
      var detail = state.created()
          ? "user " + parked.senderUserId() + " is not a member of conversation " + conversationId
          : "conversation " + conversationId + " was not created within " + settings.parked().timeout().toSeconds()
              + " s of the message";
      var push = Push.newBuilder().setRejected(Rejected.newBuilder().setMessageId(parked.messageId())
          .setCode(NackCode.FORBIDDEN).setDetail(detail)).build();
      // pipeToSelf continues the stage with handle, which an ask's stage would run on a new thread.
      context.pipeToSelf(Continuations.onDispatcher(
              settings.outboxes().enqueue(parked.senderUserId(), parked.messageId() + "/rejected", push),
              context.getSystem().executionContext()),
          (done, failure) -> failure == null
              ? new ParkedRefusalDelivered(parked.messageId())
              : new ParkedRefusalFailed(parked.messageId(), failure));
    }
  }

  /**
   * Only the owner changes the members (null: the sender is the owner). A conversation that does not exist yet has
   * no owner: its creator's own add_members and remove_members come after its creation (one user's records are
   * applied in order).
   */
  private ReplyEffect<Event, State> ownerOnly(State state, ApplyToConversation command, String what) {
    if (!state.created()) {
      return doesNotExist(command);
    }
    var user = command.record().getUserId();
    if (!user.equals(state.owner)) {
      return Effect().reply(command.replyTo(), Outcomes.rejected(command.record().getMessageId(), NackCode.FORBIDDEN,
          "only the owner of conversation " + conversationId + " may " + what + " it"));
    }
    return null;
  }

  /**
   * The owner once {@code leaving} are gone, when the owner is among them: the longest-standing member who stays
   * (empty: the owner stays, or nobody is left, and then the conversation stays its last owner's).
   */
  private static String successor(State state, List<String> leaving) {
    if (!leaving.contains(state.owner)) {
      return "";
    }
    return state.members.stream().filter(member -> !leaving.contains(member)).findFirst().orElse("");
  }

  private ReplyEffect<Event, State> changeMembers(ApplyToConversation command, List<String> added, List<String> removed,
      String newOwner) {
    var messageId = command.record().getMessageId();
    if (added.isEmpty() && removed.isEmpty()) {
      return Effect().reply(command.replyTo(), Outcomes.applied(messageId, false));
    }
    var started = PersistLatency.start();
    return Effect().persist(new MembersChanged(messageId, command.record().getUserId(), added, removed, newOwner,
            command.record().getReceivedAtMs()))
        .thenRun(s -> persistLatency.since(started))
        // The fan-out delivers the next messages to the members of now, whether or not it is behind.
        .thenRun(s -> fanOut.tell(new FanOut.Wake(s.fannedOutSeq, s.lastSeq, List.copyOf(s.members))))
        .thenRun(this::notifyMembers)
        .thenReply(command.replyTo(), s -> Outcomes.applied(messageId, false));
  }

  private ReplyEffect<Event, State> tooManyMembers(ApplyToConversation command, int members) {
    return Effect().reply(command.replyTo(), Outcomes.rejected(command.record().getMessageId(),
        NackCode.TOO_MANY_MEMBERS, "conversation " + conversationId + " would have " + members + " members, more than "
            + settings.maxMembers()));
  }

  private ReplyEffect<Event, State> doesNotExist(ApplyToConversation command) {
    return Effect().reply(command.replyTo(), Outcomes.rejected(command.record().getMessageId(), NackCode.FORBIDDEN,
        "conversation " + conversationId + " does not exist"));
  }

  /**
   * Tells every member, and every user removed since the last notice, who is in the conversation now, one round at a
   * time: changes made while a round is on its way are told by the next round, at their later version. Each user's
   * User entity enqueues a version once (its cause id). A failed round is tried again after a backoff.
   */
  private void notifyMembers(State state) {
    if (noticeInFlight > 0 || state.notifiedVersion >= state.membershipVersion) {
      return;
    }
    var version = state.membershipVersion;
    noticeInFlight = version;
    var push = Push.newBuilder().setConversationMembership(ConversationMembership.newBuilder()
        .setConversationId(conversationId).setOwnerUserId(state.owner).addAllMemberUserIds(state.members)
        .setVersion(version)).build();
    var recipients = new ArrayList<String>(state.members);
    recipients.addAll(state.formerMembers.keySet());
    var causeId = "membership/" + version + "/" + conversationId;
    var told = Source.from(recipients)
        .mapAsyncUnordered(settings.fanOut().parallelism(), user -> settings.outboxes().enqueue(user, causeId, push))
        .runWith(Sink.ignore(), context.getSystem());
    // pipeToSelf continues the stage with handle, which a stream's materialized value would run on a new thread.
    context.pipeToSelf(Continuations.onDispatcher(told, context.getSystem().executionContext()),
        (done, failure) -> failure == null ? new MembersTold(version) : new MembersNotTold(version, failure));
  }

  private ReplyEffect<Event, State> membersTold(State state, MembersTold told) {
    noticeInFlight = 0;
    noticeAttempts = 0;
    if (told.version() <= state.notifiedVersion) {
      notifyMembers(state);
      return Effect().noReply();
    }
    return Effect().persist(new MembersNotified(told.version())).thenRun(this::notifyMembers).thenNoReply();
  }

  private ReplyEffect<Event, State> notAMember(ApplyToConversation command, String user) {
    return Effect().reply(command.replyTo(), Outcomes.rejected(command.record().getMessageId(), NackCode.FORBIDDEN,
        "user " + user + " is not a member of conversation " + conversationId));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Created.class, (state, event) -> {
          state.members.addAll(event.memberUserIds());
          // Every creation names its creator, who is the first member; the owner falls back to the first member only
          // for a creation without one.
          state.owner = !event.creatorUserId().isEmpty() ? event.creatorUserId()
              : state.members.stream().findFirst().orElse("");
          state.creatorUserId = event.creatorUserId();
          state.creationMessageId = event.messageId();
          state.membershipVersion = 1;
          state.recentMessageIds.add(event.creatorUserId(), event.messageId(), event.createdAtMs());
          return state;
        })
        .onEvent(MembersChanged.class, (state, event) -> {
          var version = ++state.membershipVersion;
          state.members.addAll(event.added());
          event.added().forEach(state.formerMembers::remove);
          for (var removed : event.removed()) {
            state.members.remove(removed);
            state.readPointers.remove(removed);
            state.formerMembers.remove(removed);
            state.formerMembers.put(removed, version);
          }
          // Bounded: past it the longest-removed users are not told (their User entities still list the conversation).
          while (state.formerMembers.size() > settings.maxMembers()) {
            state.formerMembers.remove(state.formerMembers.keySet().iterator().next());
          }
          if (!event.ownerUserId().isEmpty()) {
            state.owner = event.ownerUserId();
          }
          state.recentMessageIds.add(event.byUserId(), event.messageId(), event.atMs());
          return state;
        })
        .onEvent(MembersNotified.class, (state, event) -> {
          state.notifiedVersion = Math.max(state.notifiedVersion, event.version());
          state.formerMembers.values().removeIf(removedAt -> removedAt <= event.version());
          return state;
        })
        .onEvent(MessageAppended.class, (state, event) -> {
          state.lastSeq = event.conversationSeq();
          state.recentMessageIds.add(event.senderUserId(), event.messageId(), event.receivedAtMs());
          if (!state.parked.isEmpty()) {
            removeParked(state, event.messageId());
          }
          state.recentMessages.addLast(event);
          state.recentBytes += bytes(event);
          while (state.recentMessages.size() > settings.dedup().capacity()
              || state.recentBytes > settings.recentMessagesMaxBytes()) {
            state.recentBytes -= bytes(state.recentMessages.removeFirst());
          }
          return state;
        })
        .onEvent(FanOutProgressed.class, (state, event) -> {
          state.fannedOutSeq = Math.max(state.fannedOutSeq, event.upToSeq());
          return state;
        })
        .onEvent(SendParked.class, (state, event) -> {
          state.parked.addLast(event.send());
          state.parkedBytes += bytes(event.send());
          state.recentMessageIds.add(event.send().senderUserId(), event.send().messageId(), event.send().receivedAtMs());
          return state;
        })
        .onEvent(ParkedSendRefused.class, (state, event) -> {
          removeParked(state, event.messageId());
          return state;
        })
        .onEvent(ReadPointerMoved.class, (state, event) -> {
          state.readPointers.merge(event.userId(), event.upToSeq(), Math::max);
          state.recentMessageIds.add(event.userId(), event.messageId(), event.atMs());
          return state;
        })
        .build();
  }

  private static void removeParked(State state, String messageId) {
    state.parked.removeIf(parked -> {
      if (parked.messageId().equals(messageId)) {
        state.parkedBytes -= bytes(parked);
        return true;
      }
      return false;
    });
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return settings.retention();
  }

  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return new ConversationEventAdapter();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new ConversationSnapshotAdapter(settings.dedup());
  }
}
