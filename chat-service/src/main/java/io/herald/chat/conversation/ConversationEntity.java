package io.herald.chat.conversation;

import io.herald.persistence.DedupEvictions;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.PersistFailure;
import io.herald.persistence.PersistLatency;
import io.herald.protocol.device.v1.NackCode;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ConversationSignal;
import io.herald.signals.cluster.GetHistory;
import io.herald.signals.cluster.Outcomes;
import io.herald.signals.cluster.UserOutboxes;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One conversation: the single writer that gives its messages one total order. {@code chat_send} gets the next
 * {@code conversation_seq} (gap-free from 1) and is persisted before the reply ({@link ChatFrames}); resends are
 * answered from the deduplication window. Sends before the creation wait ({@link ParkedSends}); members change by
 * consent ({@link MembershipChanges}) and are told ({@link MembershipNotices}); history: {@link HistoryReader}.
 * The reply does not wait for the fan-out: a child {@link FanOut} puts each message into every member's outbox in
 * conversation order, and the entity persists its progress ({@link FanOutProgressed}). The entity type remembers its
 * entities, so a conversation whose fan-out was interrupted by a crash is started again on another node and resumes
 * it; a conversation passivates itself once its fan-out is done and it has been idle.
 */
public final class ConversationEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ConversationEntity.Command, ConversationEntity.Event, ConversationState> {

  /** Other services address conversations by {@link ConversationSignal#TYPE_KEY}: the same entity type name. */
  public static final EntityTypeKey<ConversationSignal> ENTITY_KEY = ConversationSignal.TYPE_KEY;

  /** The cluster role whose nodes host Conversation entities. */
  public static final String ROLE = "chat";

  /**
   * Everything the entity handles. The signals {@link ApplyRecord} and {@link GetHistory} arrive wrapped by
   * {@link #create} in {@link Apply} and {@link ReadHistory}, so their cluster wire form is the signals'; the others
   * come from the entity's own fan-out, timers and futures, never across nodes.
   */
  public sealed interface Command extends ConversationSignal {}

  record Apply(ApplyRecord request) implements Command {}
  record ReadHistory(GetHistory request) implements Command {}

  /** Every message up to {@code upToSeq} is in every member's outbox. */
  record FannedOut(long upToSeq) implements Command {}

  /** The fan-out asks for the messages after {@code afterSeq}, answered with a {@link FanOut.Page}. */
  record PageForFanOut(long afterSeq, int limit, ActorRef<FanOut.Command> replyTo) implements Command {}

  private record IdleCheck() implements Command {}

  /** The sender of a parked send has its push.rejected in its outbox. */
  record ParkedRefusalDelivered(String messageId) implements Command {}
  /** A parked send's refusal could not be delivered yet; the next idle check tries again. */
  record ParkedRefusalFailed(String messageId, Throwable cause) implements Command {}

  /** Every recipient of the membership notice of {@code version} has it in its outbox. */
  record MembersTold(long version) implements Command {}
  /** The membership notice of {@code version} could not reach every recipient; tried again after a backoff. */
  record MembersNotTold(long version, Throwable cause) implements Command {}
  record NoticeRetry() implements Command {}

  public sealed interface Event {}

  public record ConversationCreated(String messageId, String creatorUserId, List<String> memberUserIds, long createdAtMs)
      implements Event {}

  public record ChatMessageAppended(
      String messageId, long conversationSeq, String senderUserId, String text, long sentAtMs, long receivedAtMs)
      implements Event {}

  /** {@code atMs}: when the gateway received the chat_read (0 in events written before it was kept). */
  public record ReadPointerMoved(String messageId, String userId, long upToSeq, long atMs) implements Event {}

  public record FanOutProgressed(long upToSeq) implements Event {}

  /** A chat_send that came before the conversation's creation waits here (see {@link ParkedSends}). */
  public record ChatSendParked(ParkedSend send) implements Event {}

  public record ParkedChatSendRefused(String messageId) implements Event {}
  public record ParkedSend(String messageId, String senderUserId, String text, long sentAtMs, long receivedAtMs) {}

  /**
   * Members added and removed by one frame of {@code byUserId}; {@code ownerUserId} is the new owner when the owner
   * left (empty: unchanged). {@code atMs}: when the gateway received the frame (0 in events written before it was kept).
   */
  public record ConversationMembersChanged(String messageId, String byUserId, List<String> added, List<String> removed,
      String ownerUserId, long atMs) implements Event {}

  /** Every member, and every user removed up to {@code version}, has the membership notice of {@code version}. */
  public record ConversationMembersNotified(long version) implements Event {}

  /**
   * Registers Conversation sharding on this node: as host when it has the {@link #ROLE}, else as proxy, so every node
   * can reach conversations by entity type name. Entities are remembered in the journal: restarted on another node
   * after a crash, so their fan-out resumes. Each has a bounded mailbox ({@code mailbox-capacity}).
   */
  public static ActorRef<ShardingEnvelope<ConversationSignal>> init(
      ActorSystem<?> system, ConversationSettings settings) {
    var outboxes = settings.fanOut().userOutboxes(system);
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            context -> create(context.getEntityId(), context.getShard(), settings, outboxes, Clock.systemUTC()))
            .withRole(ROLE)
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)
                .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced()))
            .withEntityProps(MailboxSelector.bounded(settings.mailboxCapacity())));
  }

  /** {@code outboxes}: where the members' pushes go; {@code clock}: what the parked sends' timeout reads. */
  public static Behavior<ConversationSignal> create(String conversationId,
      ActorRef<ClusterSharding.ShardCommand> shard, ConversationSettings settings, UserOutboxes outboxes, Clock clock) {
    Behavior<Command> entity = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new IdleCheck(), settings.idleTimeout());
      return new ConversationEntity(context, timers, outboxes, shard, conversationId, settings, clock);
    }));
    return Behaviors.transformMessages(ConversationSignal.class, entity, signals -> signals
        .match(Command.class, command -> command)
        .match(ApplyRecord.class, Apply::new)
        .match(GetHistory.class, ReadHistory::new));
  }

  public static PersistenceId persistenceId(String conversationId) {
    return PersistenceId.of(ENTITY_KEY.name(), conversationId);
  }

  private final String conversationId;
  private final ConversationTags tags;
  private final ConversationSettings settings;
  private final PersistLatency persistLatency = new PersistLatency(ConversationSignal.ENTITY_TYPE);
  private final DedupEvictions dedupEvictions = new DedupEvictions(ConversationSignal.ENTITY_TYPE);
  private final ActorContext<Command> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<FanOut.Command> fanOut;
  private final ParkedSends parkedSends;
  private final MembershipNotices notices;
  private final HistoryReader historyReader;
  private final MembershipChanges membership;
  private final ChatFrames chat;
  // Actor-local: the last seq seen by the previous idle check.
  private long seqAtLastIdleCheck = -1;

  private ConversationEntity(ActorContext<Command> context, TimerScheduler<Command> timers, UserOutboxes outboxes,
      ActorRef<ClusterSharding.ShardCommand> shard, String conversationId, ConversationSettings settings, Clock clock) {
    super(persistenceId(conversationId), PersistFailure.RESTART_WITH_BACKOFF);
    this.context = context;
    this.shard = shard;
    this.conversationId = conversationId;
    this.settings = settings;
    this.fanOut = context.spawn(FanOut.create(context.getSelf(), settings.fanOut(), outboxes), "fan-out");
    this.notices = new MembershipNotices(conversationId, settings, context, timers, Effect(), outboxes);
    this.parkedSends = new ParkedSends(conversationId, settings, context, Effect(), persistLatency, clock, outboxes);
    this.historyReader = new HistoryReader(conversationId, persistenceId().id(), settings, context, Effect());
    this.membership = new MembershipChanges(conversationId, settings, Effect(), persistLatency, fanOut, parkedSends,
        notices);
    this.chat = new ChatFrames(Effect(), persistLatency, fanOut, parkedSends, membership);
    this.tags = ConversationTags.forSystem(context.getSystem());
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags.tagsFor(conversationId, event);
  }

  @Override
  public ConversationState emptyState() {
    return new ConversationState(conversationId, List.of(), ConversationState.Membership.NONE, 0, 0, new HashMap<>(),
        new DedupWindow(settings.dedup()), new ArrayDeque<>(), new ArrayDeque<>());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, ConversationState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Apply.class, (state, apply) -> apply(state, apply))
        .onCommand(ReadHistory.class, (state, read) -> historyReader.history(state, read.request()))
        .onCommand(PageForFanOut.class, historyReader::pageForFanOut)
        .onCommand(FannedOut.class, this::fannedOut)
        .onCommand(IdleCheck.class, (state, check) -> idleCheck(state))
        .onCommand(ParkedRefusalDelivered.class, (state, delivered) -> parkedSends.delivered(delivered))
        .onCommand(ParkedRefusalFailed.class, (state, failed) -> parkedSends.failed(failed))
        .onCommand(MembersTold.class, notices::told)
        .onCommand(MembersNotTold.class, (state, failed) -> notices.notTold(failed))
        .onCommand(NoticeRetry.class, (state, retry) -> notices.retry(state))
        .build();
  }

  @Override
  public SignalHandler<ConversationState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // Early dedup evictions are reported from here on, not again for replayed events.
          state.recentMessageIds.reportTo(dedupEvictions);
          FanOut.wakeIfBehind(fanOut, state);
          parkedSends.refuse(state);
          notices.notifyMembers(state);
        })
        .build();
  }

  /** Progress is persisted every few messages and when the fan-out caught up; a crash repeats at most those few. */
  private ReplyEffect<Event, ConversationState> fannedOut(ConversationState state, FannedOut done) {
    var behind = done.upToSeq() - state.fannedOutSeq;
    if (behind <= 0 || (behind < settings.fanOut().progressEvery() && done.upToSeq() < state.lastSeq)) {
      return Effect().noReply();
    }
    return Effect().persist(new FanOutProgressed(done.upToSeq())).thenNoReply();
  }

  /**
   * Idle: no new message since the last check, the fan-out done and nothing parked. Remembered entities must leave by
   * themselves; one with parked sends stays, so that their timeout is kept.
   */
  private ReplyEffect<Event, ConversationState> idleCheck(ConversationState state) {
    FanOut.wakeIfBehind(fanOut, state);
    parkedSends.refuse(state);
    notices.notifyMembers(state);
    if (state.fannedOutSeq >= state.lastSeq && state.lastSeq == seqAtLastIdleCheck && state.parked.isEmpty()
        && MembershipNotices.allTold(state)) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    seqAtLastIdleCheck = state.lastSeq;
    return Effect().noReply();
  }

  private ReplyEffect<Event, ConversationState> apply(ConversationState state, Apply command) {
    var record = command.request().record();
    var replyTo = command.request().replyTo();
    var messageId = record.getMessageId();
    if (state.recentMessageIds.contains(record.getUserId(), messageId)) {
      // A chat message's fan-out is the entity's own; a read receipt's pushes are repeated (idempotent by cause id).
      return Effect().reply(replyTo, Outcomes.withPushes(Outcomes.applied(messageId, true), state.receiptsFor(record)));
    }
    return switch (record.getFrame().getBodyCase()) {
      case CREATE_CONVERSATION, ADD_MEMBERS, REMOVE_MEMBERS, LEAVE_CONVERSATION -> membership.apply(state, command);
      case CHAT_SEND -> chat.send(state, command);
      case CHAT_READ -> chat.read(state, command);
      default -> Effect().reply(replyTo,
          Outcomes.rejected(messageId, NackCode.INVALID, "not a conversation frame: " + record.getFrame().getBodyCase()));
    };
  }

  @Override
  public EventHandler<ConversationState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ConversationCreated.class, ConversationState::create)
        .onEvent(ConversationMembersChanged.class, (state, event) -> state.changeMembers(event, settings.maxMembers()))
        .onEvent(ConversationMembersNotified.class, ConversationState::notified)
        .onEvent(ChatMessageAppended.class, (state, event) ->
            state.append(event, settings.dedup().capacity(), settings.recentMessagesMaxBytes()))
        .onEvent(FanOutProgressed.class, ConversationState::fannedOut)
        .onEvent(ChatSendParked.class, ConversationState::park)
        .onEvent(ParkedChatSendRefused.class, ConversationState::refused)
        .onEvent(ReadPointerMoved.class, ConversationState::movePointer)
        .build();
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
  public SnapshotAdapter<ConversationState> snapshotAdapter() {
    return new ConversationSnapshotAdapter(settings.dedup());
  }
}
