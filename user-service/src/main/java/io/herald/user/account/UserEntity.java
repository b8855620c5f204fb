package io.herald.user.account;

import com.google.protobuf.CodedOutputStream;
import io.herald.persistence.DedupEvictions;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.PersistFailure;
import io.herald.persistence.PersistLatency;
import io.herald.persistence.fence.WriterFence;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.ConversationSummary;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.UserAccount;
import io.herald.protocol.device.v1.ConversationMembership;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Welcome;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import io.herald.signals.cluster.GetConversations;
import io.herald.signals.cluster.Outcomes;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.cluster.UserSignal;
import io.herald.user.colocation.Colocation;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * One user: the single writer of the user's outbox. Every push gets the next per-user sequence number (gap-free from
 * 1), is persisted, then sent to every live session; it stays in the outbox until a client acknowledges it
 * ({@code push_ack}), so a client that reconnects with the last seq it saw receives everything after it.
 *
 * <p>Sessions are not persisted: a session (re)attaches with {@link AttachSession} and is replayed from its seq.
 */
public final class UserEntity extends EventSourcedBehaviorWithEnforcedReplies<UserEntity.Command, UserEntity.Event, UserEntity.State> {

  /** Other services address users by {@link UserSignal#TYPE_KEY}: the same entity type name. */
  public static final EntityTypeKey<UserSignal> ENTITY_KEY = UserSignal.TYPE_KEY;

  /** The cluster role whose nodes host User (and Device) entities. */
  public static final String ROLE = "user";

  /**
   * Everything the entity handles. The signals other services send ({@link ApplyRecord}, {@link EnqueuePush},
   * {@link AttachSession}, {@link DetachSession}, {@link GetConversations}, {@link GetAccount}) arrive wrapped by
   * {@link #create} in {@link Apply}, {@link Enqueue}, {@link Attach}, {@link Detach}, {@link ListConversations} and
   * {@link ReadAccount}; the wrapping happens on arrival, so their cluster wire form is the signals'.
   */
  public sealed interface Command extends UserSignal {}

  /**
   * An {@link ApplyRecord} from the ingest pipeline: one record of herald.ingress (push_ack), answered once durable;
   * never sent across nodes in this form.
   */
  record Apply(IngressRecord record, ActorRef<IngressApplied> replyTo) implements Command {}

  /**
   * A {@link GetAccount}: the user's devices and conversations, live sessions, outbox position; never sent across nodes
   * in this form.
   */
  record ReadAccount(GetAccount request) implements Command {}

  private record SessionEnded(ActorRef<SessionSignal> session) implements Command {}

  /** An {@link EnqueuePush} from another entity; never sent across nodes in this form. */
  record Enqueue(EnqueuePush request) implements Command {}

  /** An {@link AttachSession} from a gateway session; never sent across nodes in this form. */
  record Attach(AttachSession request) implements Command {}

  /** A {@link DetachSession} from a gateway session; never sent across nodes in this form. */
  record Detach(DetachSession request) implements Command {}

  /** A {@link GetConversations} from a gateway; never sent across nodes in this form. */
  record ListConversations(GetConversations request) implements Command {}

  public sealed interface Event {}

  /** {@code atMs}: when it was enqueued (0 in events written before it was kept), its cause id's dedup time. */
  public record PushEnqueued(String causeId, Push push, long atMs) implements Event {}

  /**
   * Device {@code deviceId} acknowledged every push up to {@code upToSeq} (an empty device id, from events written
   * before per-device cursors: every device did). An empty {@code messageId} opens the cursor of a device that attached
   * for the first time. {@code atMs}: when the gateway received the push_ack (0 in events written before it was
   * kept), its message id's dedup time.
   */
  public record PushesAcknowledged(String messageId, long upToSeq, String deviceId, long atMs) implements Event {}

  /**
   * The user's place in one conversation, as its latest conversation_membership push said. {@code member} false: the
   * user left or was removed, kept so that an older push (a lower version) does not bring the conversation back.
   * Version 0: known only from a message of a conversation older than membership notices.
   */
  public record Membership(String ownerUserId, int memberCount, long version, boolean member) {}

  /** Changed only by its own methods, which the event handler calls, one per event; the adapters read its fields. */
  public static final class State {
    final String userId;
    long lastSeq;
    long ackedSeq;
    final ArrayDeque<Push> outbox;
    // The outbox's pushes in bytes as stored; derived from the outbox, bounded by outbox-max-bytes.
    long outboxBytes;
    final DedupWindow recentIds;
    final LinkedHashSet<String> devices;
    // By conversation id, least recently changed first; bounded by known-devices-and-conversations and
    // conversations-max-bytes. Derived from the pushes (PushEnqueued), so it needs no event of its own.
    final LinkedHashMap<String, Membership> memberships;
    long membershipsBytes;
    // Memberships dropped from the bounded list: the list is incomplete once one was.
    long membershipsDropped;
    // Each device's acknowledged seq, least recently moved first, bounded by device-cursors. A push leaves the outbox
    // once every device here is past it.
    final LinkedHashMap<String, Long> cursors;

    State(String userId, long lastSeq, long ackedSeq, ArrayDeque<Push> outbox, DedupWindow recentIds,
        List<String> devices, Map<String, Membership> memberships, long membershipsDropped, Map<String, Long> cursors) {
      this.userId = userId;
      this.lastSeq = lastSeq;
      this.ackedSeq = ackedSeq;
      this.outbox = outbox;
      this.outboxBytes = outbox.stream().mapToLong(Push::getSerializedSize).sum();
      this.recentIds = recentIds;
      this.devices = new LinkedHashSet<>(devices);
      this.memberships = new LinkedHashMap<>(memberships);
      this.membershipsBytes = memberships.entrySet().stream().mapToLong(e -> bytes(e.getKey(), e.getValue())).sum();
      this.membershipsDropped = membershipsDropped;
      this.cursors = new LinkedHashMap<>(cursors);
    }

    /**
     * Bounded, in pushes and in bytes: past either bound the oldest unacknowledged push is dropped; a device resuming
     * from before it gets a welcome with pushes_missed and must resynchronise (history, shadow).
     */
    State enqueue(PushEnqueued event, UserSettings settings) {
      lastSeq = event.push().getSeq();
      outbox.addLast(event.push());
      outboxBytes += event.push().getSerializedSize();
      while (outbox.size() > settings.outboxCapacity() || outboxBytes > settings.outboxMaxBytes()) {
        dropOldestPush();
      }
      recentIds.add(event.causeId(), event.atMs());
      learnFrom(event.push(), settings.knownLimit(), settings.conversationsMaxBytes());
      return this;
    }

    /**
     * Moves the device's cursor (every cursor, for an event without a device) and drops the pushes every device is
     * past; at most {@code deviceCursors} cursors are kept, least recently moved dropped first.
     */
    State acknowledge(PushesAcknowledged event, int deviceCursors) {
      long trimTo;
      if (event.deviceId().isEmpty()) {
        cursors.replaceAll((device, acked) -> Math.max(acked, event.upToSeq()));
        trimTo = event.upToSeq();
      } else {
        var previous = cursors.remove(event.deviceId());
        cursors.put(event.deviceId(), Math.max(previous == null ? 0 : previous, event.upToSeq()));
        while (cursors.size() > deviceCursors) {
          cursors.remove(cursors.keySet().iterator().next());
        }
        trimTo = cursors.values().stream().mapToLong(Long::longValue).min().orElse(event.upToSeq());
      }
      ackedSeq = Math.max(ackedSeq, trimTo);
      while (!outbox.isEmpty() && outbox.peekFirst().getSeq() <= ackedSeq) {
        dropOldestPush();
      }
      if (!event.messageId().isEmpty()) {
        recentIds.add(event.deviceId(), event.messageId(), event.atMs());
      }
      return this;
    }

    /** The first push the outbox holds (the next one to come, if it holds none). */
    long firstHeldSeq() {
      return outbox.isEmpty() ? lastSeq + 1 : outbox.peekFirst().getSeq();
    }

    private void dropOldestPush() {
      outboxBytes -= outbox.removeFirst().getSerializedSize();
    }

    /** Remembers what a push names; the most recent {@code limit} of each kind are kept. */
    void learnFrom(Push push, int limit, long conversationsMaxBytes) {
      switch (push.getBodyCase()) {
        case DEVICE_UPDATE -> remember(devices, push.getDeviceUpdate().getDeviceId(), limit);
        case DESIRED_STATE -> remember(devices, push.getDesiredState().getDeviceId(), limit);
        case CONVERSATION_MEMBERSHIP -> {
          learnMembership(push.getConversationMembership());
          boundMemberships(limit, conversationsMaxBytes);
        }
        // Only a member gets a conversation's messages and receipts: one not listed yet is an older conversation,
        // whose members were never told (a notice comes once it changes or recovers).
        case CHAT_MESSAGE -> knownFromMessages(push.getChatMessage().getConversationId(), limit, conversationsMaxBytes);
        case READ_RECEIPT -> knownFromMessages(push.getReadReceipt().getConversationId(), limit, conversationsMaxBytes);
        default -> { }
      }
    }

    /** The newest notice counts: one of a version already seen (or older) changes nothing. */
    private void learnMembership(ConversationMembership notice) {
      var id = notice.getConversationId();
      var known = memberships.get(id);
      if (id.isEmpty() || (known != null && known.version() >= notice.getVersion())) {
        return;
      }
      forgetMembership(id);
      var membership = new Membership(notice.getOwnerUserId(), notice.getMemberUserIdsCount(), notice.getVersion(),
          notice.getMemberUserIdsList().contains(userId));
      memberships.put(id, membership);
      membershipsBytes += bytes(id, membership);
    }

    private void knownFromMessages(String id, int limit, long maxBytes) {
      if (id.isEmpty() || memberships.containsKey(id)) {
        return;
      }
      var membership = new Membership("", 0, 0, true);
      memberships.put(id, membership);
      membershipsBytes += bytes(id, membership);
      boundMemberships(limit, maxBytes);
    }

    /** Past either bound, the least recently changed conversation the user left goes first, then the one it is in. */
    private void boundMemberships(int limit, long maxBytes) {
      while (memberships.size() > limit || membershipsBytes > maxBytes) {
        var left = memberships.entrySet().stream().filter(e -> !e.getValue().member()).map(Map.Entry::getKey)
            .findFirst();
        if (left.isPresent()) {
          forgetMembership(left.get());
        } else {
          forgetMembership(memberships.keySet().iterator().next());
          membershipsDropped++;
        }
      }
    }

    private void forgetMembership(String id) {
      var forgotten = memberships.remove(id);
      if (forgotten != null) {
        membershipsBytes -= bytes(id, forgotten);
      }
    }

    /** The conversations the user is in, ascending by id, after {@code afterId}: at most {@code limit}. */
    ConversationList conversationsAfter(String afterId, int limit) {
      var page = memberships.entrySet().stream()
          .filter(e -> e.getValue().member() && e.getKey().compareTo(afterId) > 0)
          .sorted(Map.Entry.comparingByKey())
          .limit(limit + 1L)
          .toList();
      var list = ConversationList.newBuilder().setMore(page.size() > limit).setTruncated(membershipsDropped > 0);
      page.stream().limit(limit).forEach(e -> list.addConversations(ConversationSummary.newBuilder()
          .setConversationId(e.getKey()).setOwnerUserId(e.getValue().ownerUserId())
          .setMemberCount(e.getValue().memberCount()).setVersion(e.getValue().version())));
      return list.build();
    }

    List<String> memberOf() {
      return memberships.entrySet().stream().filter(e -> e.getValue().member()).map(Map.Entry::getKey).toList();
    }

    private static void remember(LinkedHashSet<String> known, String id, int limit) {
      if (id.isEmpty()) {
        return;
      }
      known.remove(id);
      known.add(id);
      while (known.size() > limit) {
        known.remove(known.iterator().next());
      }
    }
  }

  /** A membership's size in memory and in a snapshot, near enough to bound them: its ids in UTF-8 and its numbers. */
  static long bytes(String conversationId, Membership membership) {
    return CodedOutputStream.computeStringSizeNoTag(conversationId)
        + CodedOutputStream.computeStringSizeNoTag(membership.ownerUserId()) + 16;
  }

  /**
   * Registers User sharding on this node: as host when it has the {@link #ROLE}, else as proxy. Users are placed by
   * {@code colocation} (with their ingress partition when enabled); each entity has a bounded mailbox
   * ({@code mailbox-capacity}).
   */
  public static ActorRef<ShardingEnvelope<UserSignal>> init(
      ActorSystem<?> system, UserSettings settings, Colocation colocation) {
    return ClusterSharding.get(system).init(colocation.apply(system,
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings))
            .withRole(ROLE)
            .withEntityProps(MailboxSelector.bounded(settings.mailboxCapacity()))));
  }

  public static Behavior<UserSignal> create(String userId, UserSettings settings) {
    return create(userId, settings, Clock.systemUTC());
  }

  /** {@code clock}: what the entity reads for a push's enqueue time and a welcome's server time. */
  public static Behavior<UserSignal> create(String userId, UserSettings settings, Clock clock) {
    Behavior<Command> entity = Behaviors.setup(context -> new UserEntity(context, userId, settings, clock));
    return Behaviors.transformMessages(UserSignal.class, entity, signals -> signals
        .match(Command.class, command -> command)
        .match(ApplyRecord.class, apply -> new Apply(apply.record(), apply.replyTo()))
        .match(EnqueuePush.class, Enqueue::new)
        .match(AttachSession.class, Attach::new)
        .match(DetachSession.class, Detach::new)
        .match(GetConversations.class, ListConversations::new)
        .match(GetAccount.class, ReadAccount::new));
  }

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of(ENTITY_KEY.name(), userId);
  }

  private final ActorContext<Command> context;
  private final Clock clock;
  private final String userId;
  private final UserSettings settings;
  // Sessions of this incarnation, each with whether it has every push so far (live: it gets each new one) or is still
  // being replayed a backlog page by page (it attaches again for the next); actor-local, rebuilt by AttachSession.
  private final Map<ActorRef<SessionSignal>, Boolean> sessions = new HashMap<>();
  private final PersistLatency persistLatency = new PersistLatency(UserSignal.ENTITY_TYPE);
  private final DedupEvictions dedupEvictions = new DedupEvictions(UserSignal.ENTITY_TYPE);
  // A fenced node sends no push: its outboxes may already be another node's.
  private final WriterFence fence;

  private UserEntity(ActorContext<Command> context, String userId, UserSettings settings, Clock clock) {
    super(persistenceId(userId), PersistFailure.RESTART_WITH_BACKOFF);
    this.context = context;
    this.clock = clock;
    this.fence = WriterFence.get(context.getSystem());
    this.userId = userId;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return new State(userId, 0, 0, new ArrayDeque<>(), new DedupWindow(settings.dedup()), List.of(), Map.of(), 0,
        Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Apply.class, (State state, Apply apply) -> apply(state, apply))
        .onCommand(Enqueue.class, (State state, Enqueue enqueue) -> enqueue(state, enqueue.request()))
        .onCommand(Attach.class, (State state, Attach attach) -> attach(state, attach.request()))
        .onCommand(ReadAccount.class, (State state, ReadAccount read) -> Effect().reply(read.request().replyTo(),
            UserAccount.newBuilder().setUserId(state.userId).addAllDevices(state.devices)
                .addAllConversations(state.memberOf()).setLiveSessions(sessions.size())
                .setLastSeq(state.lastSeq).setAckedSeq(state.ackedSeq).putAllDeviceAckedSeq(state.cursors)
                .setOutboxPushes(state.outbox.size()).setOutboxBytes(state.outboxBytes).build()))
        .onCommand(ListConversations.class, (State state, ListConversations list) -> Effect().reply(
            list.request().replyTo(),
            state.conversationsAfter(list.request().afterConversationId(), Math.max(1, list.request().limit()))))
        .onCommand(Detach.class, (State state, Detach detach) -> forget(detach.request().session()))
        .onCommand(SessionEnded.class, (State state, SessionEnded ended) -> forget(ended.session()))
        .build();
  }

  private ReplyEffect<Event, State> apply(State state, Apply command) {
    var record = command.record();
    var messageId = record.getMessageId();
    // Message ids are unique per device: a push_ack is remembered with its device.
    if (state.recentIds.contains(record.getDeviceId(), messageId)) {
      return Effect().reply(command.replyTo(), Outcomes.applied(messageId, true));
    }
    if (!record.getFrame().hasPushAck()) {
      return Effect().reply(command.replyTo(),
          Outcomes.rejected(messageId, NackCode.INVALID, "not a user frame: " + record.getFrame().getBodyCase()));
    }
    // An ack never reaches past what was pushed.
    var upTo = Math.min(record.getFrame().getPushAck().getUpToSeq(), state.lastSeq);
    var started = PersistLatency.start();
    return Effect().persist(new PushesAcknowledged(messageId, upTo, record.getDeviceId(), record.getReceivedAtMs()))
        .thenRun(s -> persistLatency.since(started))
        .thenReply(command.replyTo(), s -> Outcomes.applied(messageId, false));
  }

  /** The pushes not enqueued before, in the order given, in one journal write (one event each). */
  private ReplyEffect<Event, State> enqueue(State state, EnqueuePush command) {
    var events = new ArrayList<Event>();
    var causes = new HashSet<String>();
    var now = clock.millis();
    for (var entry : command.entries()) {
      if (!state.recentIds.contains(entry.causeId()) && causes.add(entry.causeId())) {
        var push = entry.push().toBuilder().setSeq(state.lastSeq + 1 + events.size()).build();
        events.add(new PushEnqueued(entry.causeId(), push, now));
      }
    }
    if (events.isEmpty()) {
      return Effect().reply(command.replyTo(), Done.getInstance());
    }
    var started = PersistLatency.start();
    return Effect().persist(events)
        .thenRun(s -> persistLatency.since(started))
        .thenRun(s -> {
          if (fence.permits()) {
            sessions.forEach((session, live) -> {
              if (live) {
                events.forEach(event -> session.tell(deliver(((PushEnqueued) event).push())));
              }
            });
          }
        })
        .thenReply(command.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> attach(State state, AttachSession attach) {
    if (!sessions.containsKey(attach.session())) {
      context.watchWith(attach.session(), new SessionEnded(attach.session()));
    }
    var device = attach.deviceId();
    if (!device.isEmpty() && !state.cursors.containsKey(device) && fence.permits()) {
      // A device seen for the first time gets a cursor, at what it says it has: the pushes after it stay until it
      // acknowledges them, whatever the user's other devices acknowledge.
      return Effect().persist(new PushesAcknowledged("", Math.min(attach.lastSeq(), state.lastSeq), device, 0))
          .thenRun(s -> replay(s, attach))
          .thenNoReply();
    }
    replay(state, attach);
    return Effect().noReply();
  }

  /**
   * Sends the session what the outbox holds after its last seq, a page of at most {@code replayLimit}, preceded by a
   * welcome with {@code pushes_missed} when the outbox no longer holds all of them.
   */
  private void replay(State state, AttachSession attach) {
    var replayed = attach.lastSeq();
    if (fence.permits()) {
      var firstHeld = state.firstHeldSeq();
      if (attach.lastSeq() < firstHeld - 1) {
        attach.session().tell(new DeliverPush(ServerFrame.newBuilder().setWelcome(Welcome.newBuilder()
            .setUserId(userId).setDeviceId(attach.deviceId()).setResumedFromSeq(firstHeld - 1)
            .setServerTimeMs(clock.millis()).setPushesMissed(true)).build()));
      }
      var page = state.outbox.stream().filter(push -> push.getSeq() > attach.lastSeq())
          .limit(attach.replayLimit() > 0 ? attach.replayLimit() : Long.MAX_VALUE).toList();
      for (var push : page) {
        attach.session().tell(deliver(push));
        replayed = push.getSeq();
      }
    }
    sessions.put(attach.session(), replayed >= state.lastSeq);
  }

  private ReplyEffect<Event, State> forget(ActorRef<SessionSignal> session) {
    if (sessions.remove(session) != null) {
      context.unwatch(session);
    }
    return Effect().noReply();
  }

  private static DeliverPush deliver(Push push) {
    return new DeliverPush(ServerFrame.newBuilder().setPush(push).build());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PushEnqueued.class, (state, event) -> state.enqueue(event, settings))
        .onEvent(PushesAcknowledged.class, (state, event) -> state.acknowledge(event, settings.deviceCursors()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    // Early dedup evictions are reported from here on, not again for replayed events.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> state.recentIds.reportTo(dedupEvictions))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return settings.retention();
  }

  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return new UserEventAdapter();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new UserSnapshotAdapter(settings.dedup());
  }
}
