package io.herald.user.device;

import com.google.protobuf.ByteString;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.cluster.Outcomes;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One device: the single writer of its telemetry. Applies ingress records at most once (by message id), persists
 * them to the journal, and answers only after the event is stored, so the Kafka offset can be committed.
 */
public final class DeviceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Device");

  public sealed interface Command {}

  /** Apply one record from herald.ingress; the reply comes after the effect is durable. */
  public record Apply(IngressRecord record, ActorRef<IngressApplied> replyTo) implements Command {}

  /** Read the device's telemetry summary from memory. */
  public record GetTelemetry(ActorRef<TelemetrySummary> replyTo) implements Command {}

  public record TelemetrySummary(String deviceId, String ownerUserId, long telemetryCount, Map<String, Reading> readings) {}

  public record Reading(double last, long count, long lastAtMs) {}

  public sealed interface Event {}

  public record TelemetryRecorded(
      String messageId, String userId, Map<String, Double> readings, ByteString raw, long sentAtMs, long receivedAtMs)
      implements Event {}

  /** Only the event handler changes it. */
  public static final class State {
    final String deviceId;
    String ownerUserId;
    long telemetryCount;
    final Map<String, Reading> readings;
    final DedupWindow recentMessageIds;

    State(String deviceId, String ownerUserId, long telemetryCount, Map<String, Reading> readings, DedupWindow recent) {
      this.deviceId = deviceId;
      this.ownerUserId = ownerUserId;
      this.telemetryCount = telemetryCount;
      this.readings = readings;
      this.recentMessageIds = recent;
    }

    TelemetrySummary summary() {
      return new TelemetrySummary(deviceId, ownerUserId, telemetryCount, Map.copyOf(readings));
    }
  }

  public static Behavior<Command> create(String deviceId, DeviceSettings settings) {
    return Behaviors.setup(context -> new DeviceEntity(deviceId, settings));
  }

  public static PersistenceId persistenceId(String deviceId) {
    return PersistenceId.of(TYPE_KEY.name(), deviceId);
  }

  private final String deviceId;
  private final DeviceSettings settings;

  private DeviceEntity(String deviceId, DeviceSettings settings) {
    super(persistenceId(deviceId));
    this.deviceId = deviceId;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return new State(deviceId, "", 0, new HashMap<>(), new DedupWindow(settings.dedupWindow()));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Apply.class, (State state, Apply apply) -> apply(state, apply))
        .onCommand(GetTelemetry.class, (State state, GetTelemetry get) -> Effect().reply(get.replyTo(), state.summary()))
        .build();
  }

  private ReplyEffect<Event, State> apply(State state, Apply command) {
    var record = command.record();
    var messageId = record.getMessageId();
    if (state.recentMessageIds.contains(messageId)) {
      return Effect().reply(command.replyTo(), Outcomes.applied(messageId, true));
    }
    if (!state.ownerUserId.isEmpty() && !state.ownerUserId.equals(record.getUserId())) {
      return Effect().reply(command.replyTo(),
          Outcomes.rejected(messageId, NackCode.FORBIDDEN, "device " + deviceId + " belongs to another user"));
    }
    if (!record.getFrame().hasTelemetry()) {
      return Effect().reply(command.replyTo(),
          Outcomes.rejected(messageId, NackCode.INVALID, "not a device frame: " + record.getFrame().getBodyCase()));
    }
    var telemetry = record.getFrame().getTelemetry();
    var event = new TelemetryRecorded(messageId, record.getUserId(), Map.copyOf(telemetry.getReadingsMap()),
        telemetry.getRaw(), record.getFrame().getSentAtMs(), record.getReceivedAtMs());
    return Effect().persist(event).thenReply(command.replyTo(), updated -> Outcomes.applied(messageId, false));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TelemetryRecorded.class, (state, event) -> {
          state.ownerUserId = event.userId();
          state.telemetryCount++;
          event.readings().forEach((key, value) -> state.readings.merge(key, new Reading(value, 1, event.receivedAtMs()),
              (old, fresh) -> new Reading(value, old.count() + 1, event.receivedAtMs())));
          state.recentMessageIds.add(event.messageId());
          return state;
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
    return new DeviceSnapshotAdapter(settings.dedupWindow());
  }
}
