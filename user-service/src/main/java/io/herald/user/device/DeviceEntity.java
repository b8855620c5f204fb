package io.herald.user.device;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.herald.persistence.DedupEvictions;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.PersistFailure;
import io.herald.persistence.PersistLatency;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.IngressAppliedBatch;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.DesiredState;
import io.herald.protocol.device.v1.DeviceUpdate;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.events.v1.ReadingSample;
import io.herald.protocol.events.v1.ReadingStats;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ApplyRecords;
import io.herald.signals.cluster.DeviceSignal;
import io.herald.signals.cluster.GetDeviceOwner;
import io.herald.signals.cluster.GetShadow;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.cluster.Outcomes;
import io.herald.signals.cluster.UserOutboxes;
import io.herald.user.account.UserEntity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
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
 * One device: the single writer of its telemetry, its shadow (reported, desired, version) and its presence. Applies
 * ingress records at most once (by message id), persists them, and answers only after the event is stored, so the
 * Kafka offset can be committed. What the owner must learn (device_update, desired_state) because of a record travels
 * in the answer as push intents, which the pipeline puts into the owner's outbox before committing; what it must learn
 * because of silence (the presence timeout: offline) the entity puts there itself, by the same {@link UserOutboxes}.
 */
public final class DeviceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State> {

  /** Other services address devices by {@link DeviceSignal#TYPE_KEY}: the same entity type name. */
  public static final EntityTypeKey<DeviceSignal> ENTITY_KEY = DeviceSignal.TYPE_KEY;

  /**
   * Everything the entity handles. The signals other services send ({@link ApplyRecord}, {@link ApplyRecords},
   * {@link GetShadow}, {@link GetDeviceOwner}, {@link GetTelemetry}) arrive wrapped by {@link #create} in {@link Apply},
   * {@link ApplyBatch}, {@link ReadShadow}, {@link ReadOwner} and {@link ReadTelemetry}; the wrapping happens on arrival, so their cluster
   * wire form is the signals'.
   */
  public sealed interface Command extends DeviceSignal {}

  /**
   * An {@link ApplyRecord} from the ingest pipeline: one record of herald.ingress, answered once the effect is durable;
   * never sent across nodes in this form.
   */
  record Apply(IngressRecord record, ActorRef<IngressApplied> replyTo) implements Command {}

  /**
   * An {@link ApplyRecords} from the ingest pipeline: consecutive telemetry and heartbeat records of this device, applied
   * in order in one journal write and answered together; never sent across nodes in this form.
   */
  record ApplyBatch(List<IngressRecord> records, ActorRef<IngressAppliedBatch> replyTo) implements Command {}


  /** No frame for the presence timeout: the device goes offline. */
  private record PresenceExpired() implements Command {}

  /** The owner's User entity has the presence push of {@code causeId} in its outbox. */
  private record PresencePushed(String causeId) implements Command {}

  /** The presence push of {@code causeId} did not reach the owner's outbox yet: asked again after a while. */
  private record PresencePushFailed(String causeId, Throwable cause) implements Command {}

  private record RetryPresencePush() implements Command {}

  /** A {@link GetShadow} from another service; never sent across nodes in this form. */
  record ReadShadow(GetShadow request) implements Command {}

  /** A {@link GetDeviceOwner} from another service; never sent across nodes in this form. */
  record ReadOwner(GetDeviceOwner request) implements Command {}

  /** A {@link GetTelemetry}; never sent across nodes in this form. */
  record ReadTelemetry(GetTelemetry request) implements Command {}

  /** One key's readings: the last value, how many, when, and the last few values (bounded), oldest first. */
  public record Reading(double last, long count, long lastAtMs, List<Sample> recent) {

    Reading with(double value, long atMs, int history) {
      var samples = new ArrayList<Sample>(recent.subList(Math.max(0, recent.size() - history + 1), recent.size()));
      samples.add(new Sample(value, atMs));
      return new Reading(value, count + 1, atMs, List.copyOf(samples));
    }

    public ReadingStats toStats() {
      return ReadingStats.newBuilder().setLast(last).setCount(count).setLastAtMs(lastAtMs)
          .addAllRecent(recent.stream().map(sample -> ReadingSample.newBuilder().setValue(sample.value())
              .setAtMs(sample.atMs()).build()).toList())
          .build();
    }

    public static Reading of(ReadingStats stats) {
      return new Reading(stats.getLast(), stats.getCount(), stats.getLastAtMs(),
          stats.getRecentList().stream().map(sample -> new Sample(sample.getValue(), sample.getAtMs())).toList());
    }
  }

  public record Sample(double value, long atMs) {}

  public sealed interface Event {}

  public record TelemetryRecorded(
      String messageId, String userId, Map<String, Double> readings, ByteString raw, long sentAtMs, long receivedAtMs)
      implements Event {}

  public record ReportedStateChanged(String messageId, String userId, Map<String, String> reported, long version, long atMs)
      implements Event {}

  public record DesiredStateChanged(String messageId, String userId, Map<String, String> desired, long version, long atMs)
      implements Event {}

  public record PresenceChanged(String causeId, boolean online, long atMs, String userId) implements Event {}

  /** Changed only by its own methods, which the event handler calls, one per event; the adapters read its fields. */
  public static final class State {
    final String deviceId;
    String ownerUserId;
    long telemetryCount;
    final Map<String, Reading> readings;
    final DedupWindow recentMessageIds;
    final Shadow shadow;

    State(String deviceId, String ownerUserId, long telemetryCount, Map<String, Reading> readings, DedupWindow recent,
        Shadow shadow) {
      this.deviceId = deviceId;
      this.ownerUserId = ownerUserId;
      this.telemetryCount = telemetryCount;
      this.readings = readings;
      this.recentMessageIds = recent;
      this.shadow = shadow;
    }

    DeviceTelemetry telemetry() {
      var telemetry = DeviceTelemetry.newBuilder().setDeviceId(deviceId).setOwnerUserId(ownerUserId)
          .setTelemetryCount(telemetryCount);
      readings.forEach((key, reading) -> telemetry.putReadings(key, reading.toStats()));
      return telemetry.build();
    }

    /** Keeps the last {@code history} values of each key. */
    State recordTelemetry(TelemetryRecorded event, int history) {
      ownerUserId = event.userId();
      telemetryCount++;
      event.readings().forEach((key, value) -> readings.put(key,
          readings.getOrDefault(key, new Reading(value, 0, event.receivedAtMs(), List.of()))
              .with(value, event.receivedAtMs(), history)));
      shadow.lastSeenMs = event.receivedAtMs();
      recentMessageIds.add(event.messageId(), event.receivedAtMs());
      return this;
    }

    State changeReported(ReportedStateChanged event) {
      ownerUserId = event.userId();
      Shadow.merge(shadow.reported, event.reported());
      shadow.version = event.version();
      shadow.lastSeenMs = event.atMs();
      recentMessageIds.add(event.messageId(), event.atMs());
      return this;
    }

    State changeDesired(DesiredStateChanged event) {
      Shadow.merge(shadow.desired, event.desired());
      shadow.version = event.version();
      recentMessageIds.add(event.messageId(), event.atMs());
      return this;
    }

    /** An empty user id (the presence timeout's) leaves the owner as it is. */
    State changePresence(PresenceChanged event) {
      if (!event.userId().isEmpty()) {
        ownerUserId = event.userId();
      }
      shadow.online = event.online();
      shadow.lastSeenMs = Math.max(shadow.lastSeenMs, event.atMs());
      return this;
    }
  }

  /** Reported and desired properties with one version counting changes of either, and presence; part of {@link State}. */
  static final class Shadow {
    final Map<String, String> reported;
    final Map<String, String> desired;
    long version;
    boolean online;
    long lastSeenMs;

    Shadow(Map<String, String> reported, Map<String, String> desired, long version, boolean online, long lastSeenMs) {
      this.reported = reported;
      this.desired = desired;
      this.version = version;
      this.online = online;
      this.lastSeenMs = lastSeenMs;
    }

    static void merge(Map<String, String> into, Map<String, String> changes) {
      changes.forEach((key, value) -> {
        if (value.isEmpty()) {
          into.remove(key);
        } else {
          into.put(key, value);
        }
      });
    }
  }

  /**
   * Registers Device sharding on this node: as host when it has the User entities' role, else as proxy. Each entity has
   * a bounded mailbox ({@code mailbox-capacity}); {@code outboxes}: where its presence pushes go.
   */
  public static ActorRef<ShardingEnvelope<DeviceSignal>> init(ActorSystem<?> system, DeviceSettings settings,
      UserOutboxes outboxes) {
    return ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, outboxes))
            .withRole(UserEntity.ROLE)
            .withEntityProps(MailboxSelector.bounded(settings.mailboxCapacity())));
  }

  public static Behavior<DeviceSignal> create(String deviceId, DeviceSettings settings, UserOutboxes outboxes) {
    return create(deviceId, settings, outboxes, Clock.systemUTC());
  }

  /** {@code clock}: what the presence timeout reads. */
  public static Behavior<DeviceSignal> create(String deviceId, DeviceSettings settings, UserOutboxes outboxes,
      Clock clock) {
    Behavior<Command> entity = Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new DeviceEntity(context, deviceId, settings, outboxes, timers, clock,
            DeviceTags.forSystem(context.getSystem()))));
    return Behaviors.transformMessages(DeviceSignal.class, entity, signals -> signals
        .match(Command.class, command -> command)
        .match(ApplyRecord.class, apply -> new Apply(apply.record(), apply.replyTo()))
        .match(ApplyRecords.class, apply -> new ApplyBatch(apply.records(), apply.replyTo()))
        .match(GetShadow.class, ReadShadow::new)
        .match(GetDeviceOwner.class, ReadOwner::new)
        .match(GetTelemetry.class, ReadTelemetry::new));
  }

  public static PersistenceId persistenceId(String deviceId) {
    return PersistenceId.of(ENTITY_KEY.name(), deviceId);
  }

  private static final String PRESENCE_TIMER = "presence";
  private static final String PRESENCE_PUSH_TIMER = "presence-push";

  private final ActorContext<Command> context;
  private final String deviceId;
  private final DeviceSettings settings;
  private final UserOutboxes outboxes;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final DeviceTags tags;
  private final PersistLatency persistLatency = new PersistLatency(DeviceSignal.ENTITY_TYPE);
  private final DedupEvictions dedupEvictions = new DedupEvictions(DeviceSignal.ENTITY_TYPE);
  // Actor-local: the offline push not yet confirmed by the owner's User entity (null: none).
  private PushIntent presencePush;

  private DeviceEntity(ActorContext<Command> context, String deviceId, DeviceSettings settings, UserOutboxes outboxes,
      TimerScheduler<Command> timers, Clock clock, DeviceTags tags) {
    super(persistenceId(deviceId), PersistFailure.RESTART_WITH_BACKOFF);
    this.context = context;
    this.deviceId = deviceId;
    this.settings = settings;
    this.outboxes = outboxes;
    this.timers = timers;
    this.clock = clock;
    this.tags = tags;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags.tagsFor(deviceId, event);
  }

  @Override
  public State emptyState() {
    return new State(deviceId, "", 0, new HashMap<>(), new DedupWindow(settings.dedup()),
        new Shadow(new HashMap<>(), new HashMap<>(), 0, false, 0));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Apply.class, (State state, Apply apply) -> apply(state, apply))
        .onCommand(ApplyBatch.class, (State state, ApplyBatch batch) -> applyBatch(state, batch))
        .onCommand(ReadTelemetry.class, (State state, ReadTelemetry read) ->
            Effect().reply(read.request().replyTo(), state.telemetry()))
        .onCommand(PresenceExpired.class, (State state, PresenceExpired expired) -> expire(state))
        .onCommand(PresencePushed.class, (State state, PresencePushed pushed) -> presencePushed(pushed))
        .onCommand(PresencePushFailed.class, (State state, PresencePushFailed failed) -> presencePushFailed(failed))
        .onCommand(RetryPresencePush.class, (State state, RetryPresencePush retry) -> retryPresencePush(state))
        .onCommand(ReadShadow.class, (State state, ReadShadow read) ->
            Effect().reply(read.request().replyTo(), shadowFor(state, read.request())))
        .onCommand(ReadOwner.class, (State state, ReadOwner read) -> Effect().reply(read.request().replyTo(),
            DeviceOwner.newBuilder().setDeviceId(state.deviceId).setOwnerUserId(state.ownerUserId).build()))
        .build();
  }

  private ReplyEffect<Event, State> apply(State state, Apply command) {
    var record = command.record();
    var messageId = record.getMessageId();
    var frame = record.getFrame();
    if (state.recentMessageIds.contains(messageId)) {
      // The original pushes may not have reached the outbox: repeat them (idempotent by cause id) from current state.
      return Effect().reply(command.replyTo(), Outcomes.withPushes(Outcomes.applied(messageId, true), pushesFor(state, frame, messageId)));
    }
    if (frame.hasSetDesired()) {
      // The gateway checks the same before producing (GetDeviceOwner); this covers a record produced around it.
      if (state.ownerUserId.isEmpty()) {
        return Effect().reply(command.replyTo(),
            Outcomes.rejected(messageId, NackCode.UNKNOWN_DEVICE, "device " + deviceId + " is not known"));
      }
      if (!state.ownerUserId.equals(record.getUserId())) {
        return Effect().reply(command.replyTo(),
            Outcomes.rejected(messageId, NackCode.FORBIDDEN, "device " + deviceId + " belongs to another user"));
      }
      var tooLarge = overBudget(state, state.shadow.desired, frame.getSetDesired().getDesiredMap(), Map.of());
      if (tooLarge.isPresent()) {
        return Effect().reply(command.replyTo(), Outcomes.rejected(messageId, NackCode.TOO_LARGE, tooLarge.get()));
      }
      var desired = new DesiredStateChanged(messageId, record.getUserId(), frame.getSetDesired().getDesiredMap(),
          state.shadow.version + 1, record.getReceivedAtMs());
      var started = PersistLatency.start();
      return Effect().persist(desired).thenRun(updated -> persistLatency.since(started)).thenReply(command.replyTo(),
          updated -> Outcomes.withPushes(Outcomes.applied(messageId, false), pushesFor(updated, frame, messageId)));
    }
    if (!state.ownerUserId.isEmpty() && !state.ownerUserId.equals(record.getUserId())) {
      return Effect().reply(command.replyTo(),
          Outcomes.rejected(messageId, NackCode.FORBIDDEN, "device " + deviceId + " belongs to another user"));
    }
    var tooLarge = switch (frame.getBodyCase()) {
      case TELEMETRY -> overBudget(state, Map.of(), Map.of(), frame.getTelemetry().getReadingsMap());
      case REPORT_STATE -> overBudget(state, state.shadow.reported, frame.getReportState().getReportedMap(), Map.of());
      default -> Optional.<String>empty();
    };
    if (tooLarge.isPresent()) {
      return Effect().reply(command.replyTo(), Outcomes.rejected(messageId, NackCode.TOO_LARGE, tooLarge.get()));
    }
    var events = new ArrayList<Event>();
    if (!state.shadow.online) {
      events.add(new PresenceChanged(messageId + "/online", true, record.getReceivedAtMs(), record.getUserId()));
    }
    switch (frame.getBodyCase()) {
      case TELEMETRY -> {
        var telemetry = frame.getTelemetry();
        events.add(new TelemetryRecorded(messageId, record.getUserId(), Map.copyOf(telemetry.getReadingsMap()),
            telemetry.getRaw(), frame.getSentAtMs(), record.getReceivedAtMs()));
      }
      case REPORT_STATE -> events.add(new ReportedStateChanged(messageId, record.getUserId(),
          frame.getReportState().getReportedMap(), state.shadow.version + 1, record.getReceivedAtMs()));
      case HEARTBEAT -> { }
      default -> {
        return Effect().reply(command.replyTo(),
            Outcomes.rejected(messageId, NackCode.INVALID, "not a device frame: " + frame.getBodyCase()));
      }
    }
    timers.startSingleTimer(PRESENCE_TIMER, new PresenceExpired(), settings.presenceTimeout());
    if (events.isEmpty()) {
      return Effect().reply(command.replyTo(), Outcomes.applied(messageId, false));
    }
    var cameOnline = !state.shadow.online;
    var started = PersistLatency.start();
    return Effect().persist(events).thenRun(updated -> persistLatency.since(started)).thenReply(command.replyTo(), updated -> Outcomes.withPushes(Outcomes.applied(messageId, false),
        cameOnline ? List.of(deviceUpdate(updated, messageId + "/device_update")) : pushesFor(updated, frame, messageId)));
  }

  /**
   * Telemetry and heartbeats of this device, decided one after the other as {@link #apply} would decide each (at most
   * once by message id, the owner's check, the state's byte budget, coming online), against the state as the earlier
   * records of the batch leave it; their events are persisted in one write and one answer lists every outcome in order.
   * Any other frame is not for a batch: the pipeline sends those one by one, and a batch holding one is answered with
   * no outcome at all, which tells the pipeline to apply its records one by one.
   */
  private ReplyEffect<Event, State> applyBatch(State state, ApplyBatch batch) {
    if (!batch.records().stream().allMatch(record -> ApplyRecords.carries(record.getFrame()))) {
      return Effect().reply(batch.replyTo(), IngressAppliedBatch.getDefaultInstance());
    }
    var outcomes = new ArrayList<IngressApplied>(batch.records().size());
    var events = new ArrayList<Event>();
    var idsInBatch = new HashSet<String>();
    var keysInBatch = new HashSet<String>();
    long bytesAdded = 0;
    var owner = state.ownerUserId;
    var online = state.shadow.online;
    var cameOnlineWith = "";
    var appliedAny = false;
    for (var record : batch.records()) {
      var messageId = record.getMessageId();
      var frame = record.getFrame();
      if (state.recentMessageIds.contains(messageId) || idsInBatch.contains(messageId)) {
        outcomes.add(Outcomes.applied(messageId, true));
        continue;
      }
      if (!owner.isEmpty() && !owner.equals(record.getUserId())) {
        outcomes.add(Outcomes.rejected(messageId, NackCode.FORBIDDEN, "device " + deviceId + " belongs to another user"));
        continue;
      }
      long added = 0;
      var newKeys = new ArrayList<String>();
      for (var key : frame.getTelemetry().getReadingsMap().keySet()) {
        if (!state.readings.containsKey(key) && !keysInBatch.contains(key)) {
          added += readingBytes(key);
          newKeys.add(key);
        }
      }
      if (added > 0) {
        long after = stateBytes(state) + bytesAdded + added;
        if (after > settings.stateMaxBytes()) {
          outcomes.add(Outcomes.rejected(messageId, NackCode.TOO_LARGE, tooLargeDetail(after)));
          continue;
        }
        bytesAdded += added;
        keysInBatch.addAll(newKeys);
      }
      if (!online) {
        events.add(new PresenceChanged(messageId + "/online", true, record.getReceivedAtMs(), record.getUserId()));
        online = true;
        cameOnlineWith = messageId;
      }
      if (frame.hasTelemetry()) {
        var telemetry = frame.getTelemetry();
        events.add(new TelemetryRecorded(messageId, record.getUserId(), Map.copyOf(telemetry.getReadingsMap()),
            telemetry.getRaw(), frame.getSentAtMs(), record.getReceivedAtMs()));
        idsInBatch.add(messageId);
      }
      owner = record.getUserId();
      outcomes.add(Outcomes.applied(messageId, false));
      appliedAny = true;
    }
    if (appliedAny) {
      timers.startSingleTimer(PRESENCE_TIMER, new PresenceExpired(), settings.presenceTimeout());
    }
    if (events.isEmpty()) {
      return Effect().reply(batch.replyTo(), IngressAppliedBatch.newBuilder().addAllApplied(outcomes).build());
    }
    var onlineCause = cameOnlineWith;
    var started = PersistLatency.start();
    return Effect().persist(events).thenRun(updated -> persistLatency.since(started)).thenReply(batch.replyTo(),
        updated -> IngressAppliedBatch.newBuilder().addAllApplied(outcomes.stream()
            .map(outcome -> outcome.getMessageId().equals(onlineCause) && !outcome.getDuplicate()
                ? Outcomes.withPushes(outcome, List.of(deviceUpdate(updated, onlineCause + "/device_update")))
                : outcome)
            .toList()).build());
  }

  /**
   * Why the change would take the device's state past {@code state-max-bytes}, if it would: {@code changes} merged into
   * {@code properties} (reported or desired), {@code readings} adding telemetry keys. Telemetry of known keys costs
   * nothing more, so the hot path only adds up the state when a frame brings a new key.
   */
  private Optional<String> overBudget(State state, Map<String, String> properties, Map<String, String> changes,
      Map<String, Double> readings) {
    long added = 0;
    for (var change : changes.entrySet()) {
      var old = properties.get(change.getKey());
      added -= old == null ? 0 : bytes(change.getKey()) + bytes(old);
      added += change.getValue().isEmpty() ? 0 : bytes(change.getKey()) + bytes(change.getValue());
    }
    for (var key : readings.keySet()) {
      added += state.readings.containsKey(key) ? 0 : readingBytes(key);
    }
    if (added <= 0) {
      return Optional.empty();
    }
    long after = stateBytes(state) + added;
    return after <= settings.stateMaxBytes() ? Optional.empty() : Optional.of(tooLargeDetail(after));
  }

  private String tooLargeDetail(long after) {
    return "device " + deviceId + "'s state would be " + after + " bytes, over its budget of " + settings.stateMaxBytes()
        + " (reported and desired properties, telemetry keys): remove properties (an empty value) to make room";
  }

  /** The device's state in bytes, near enough to bound it: strings in UTF-8, a reading's numbers at 16 bytes each. */
  private long stateBytes(State state) {
    long bytes = 0;
    for (var properties : List.of(state.shadow.reported, state.shadow.desired)) {
      for (var property : properties.entrySet()) {
        bytes += bytes(property.getKey()) + bytes(property.getValue());
      }
    }
    for (var key : state.readings.keySet()) {
      bytes += readingBytes(key);
    }
    return bytes;
  }

  private long readingBytes(String key) {
    return bytes(key) + 32 + 16L * settings.telemetryHistory();
  }

  private static long bytes(String text) {
    return CodedOutputStream.computeStringSizeNoTag(text);
  }

  /** Offline after the presence timeout; the owner learns it by device_update, which this entity puts in its outbox. */
  private ReplyEffect<Event, State> expire(State state) {
    if (!state.shadow.online) {
      return Effect().noReply();
    }
    var at = clock.millis();
    return Effect().persist(new PresenceChanged("offline-" + at, false, at, ""))
        .thenRun(updated -> pushPresence(deviceUpdate(updated, "offline-" + at)))
        .thenNoReply();
  }

  /**
   * Asks the owner's User entity to enqueue the presence push, again after {@code presence-push-retry} until it
   * confirms (its cause id stays the same, so the outbox holds it once); dropped when a frame brings the device online
   * first, since that frame's own device_update supersedes it. Actor-local: a push not confirmed when the entity stops
   * (a crash, passivation, a rebalance) is not asked again; the owner learns the presence at the device's next frame.
   */
  private void pushPresence(PushIntent push) {
    presencePush = push;
    context.pipeToSelf(outboxes.enqueue(push.getUserId(), push.getCauseId(), push.getPush()),
        (done, failure) -> failure == null
            ? new PresencePushed(push.getCauseId())
            : new PresencePushFailed(push.getCauseId(), failure));
  }

  private ReplyEffect<Event, State> presencePushed(PresencePushed pushed) {
    if (presencePush != null && presencePush.getCauseId().equals(pushed.causeId())) {
      presencePush = null;
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> presencePushFailed(PresencePushFailed failed) {
    if (presencePush != null && presencePush.getCauseId().equals(failed.causeId())) {
      context.getLog().warn("Presence push {} of device {} not in its owner's outbox yet, asked again in {} ms: {}",
          failed.causeId(), deviceId, settings.presencePushRetry().toMillis(), failed.cause().toString());
      timers.startSingleTimer(PRESENCE_PUSH_TIMER, new RetryPresencePush(), settings.presencePushRetry());
    }
    return Effect().noReply();
  }

  /** A device online again has told its owner so by its frame's device_update: the offline push is stale. */
  private ReplyEffect<Event, State> retryPresencePush(State state) {
    if (state.shadow.online) {
      presencePush = null;
    } else if (presencePush != null) {
      pushPresence(presencePush);
    }
    return Effect().noReply();
  }

  private static DeviceShadow shadowFor(State state, GetShadow get) {
    if (state.ownerUserId.isEmpty() || !state.ownerUserId.equals(get.requesterUserId())) {
      return DeviceShadow.newBuilder().setFound(false).setDeviceId(state.deviceId).build();
    }
    var shadow = state.shadow;
    var delta = new HashMap<String, String>();
    shadow.desired.forEach((key, value) -> {
      if (!value.equals(shadow.reported.get(key))) {
        delta.put(key, value);
      }
    });
    return DeviceShadow.newBuilder().setFound(true).setDeviceId(state.deviceId).putAllReported(shadow.reported)
        .putAllDesired(shadow.desired).putAllDelta(delta).setVersion(shadow.version).setOnline(shadow.online).build();
  }

  /** What the owner must be told after this frame, derived from the (updated) state. */
  private static List<PushIntent> pushesFor(State state, ClientFrame frame, String messageId) {
    return switch (frame.getBodyCase()) {
      case REPORT_STATE -> List.of(deviceUpdate(state, messageId + "/device_update"));
      case SET_DESIRED -> List.of(desiredState(state, messageId + "/desired_state"));
      default -> List.of();
    };
  }

  private static PushIntent deviceUpdate(State state, String causeId) {
    return PushIntent.newBuilder().setUserId(state.ownerUserId).setCauseId(causeId)
        .setPush(Push.newBuilder().setDeviceUpdate(DeviceUpdate.newBuilder().setDeviceId(state.deviceId)
            .putAllReported(state.shadow.reported).setOnline(state.shadow.online).setVersion(state.shadow.version)))
        .build();
  }

  private static PushIntent desiredState(State state, String causeId) {
    return PushIntent.newBuilder().setUserId(state.ownerUserId).setCauseId(causeId)
        .setPush(Push.newBuilder().setDesiredState(DesiredState.newBuilder().setDeviceId(state.deviceId)
            .putAllProperties(state.shadow.desired).setVersion(state.shadow.version)))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TelemetryRecorded.class, (state, event) -> state.recordTelemetry(event, settings.telemetryHistory()))
        .onEvent(ReportedStateChanged.class, State::changeReported)
        .onEvent(DesiredStateChanged.class, State::changeDesired)
        .onEvent(PresenceChanged.class, State::changePresence)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    // A device recovered as online gets its presence timer back; without a frame it goes offline in due time. Early
    // dedup evictions are reported from here on, not again for replayed events.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          state.recentMessageIds.reportTo(dedupEvictions);
          if (state.shadow.online) {
            timers.startSingleTimer(PRESENCE_TIMER, new PresenceExpired(), settings.presenceTimeout());
          }
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return settings.retention();
  }

  @Override
  public EventAdapter<Event, ?> eventAdapter() {
    return new DeviceEventAdapter();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new DeviceSnapshotAdapter(settings.dedup());
  }
}
