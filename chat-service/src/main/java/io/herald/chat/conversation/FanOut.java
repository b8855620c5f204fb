package io.herald.chat.conversation;

import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserOutboxes;
import io.herald.signals.concurrent.Continuations;
import io.herald.signals.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A conversation's fan-out, a child of its entity: puts each message into every member's outbox in conversation order
 * (so every member receives the conversation in order), one round after the other, members of one round in parallel
 * up to {@code parallelism}. A round is the messages that came while the round before was being written, up to
 * {@code batchMessages} and {@code batchBytes} (at least one): each member's outbox takes them in one journal write, so
 * a busy conversation is not held to one message per User entity write. It holds one page of messages at a time,
 * asked from the entity, so a fan-out that lags (a large conversation, a slow User entity) costs no memory: the
 * backlog is the journal. Progress goes to the entity, which persists it; after a crash the fan-out resumes after the persisted point and the User entities
 * drop the causes they already have.
 */
final class FanOut extends AbstractBehavior<FanOut.Command> {

  sealed interface Command {}

  /**
   * From the entity: messages up to {@code lastSeq} exist, and those up to {@code fannedOutSeq} are delivered. A
   * non-empty {@code traceparent} is the trace of the message at {@code lastSeq} (its sender's apply span).
   */
  record Wake(long fannedOutSeq, long lastSeq, List<String> members, String traceparent) implements Command {}

  /** From the entity: the messages after the requested seq, ascending (empty if it could not read them). */
  record Page(List<ChatMessage> messages) implements Command {}

  /** The first {@code messages} of the page are in every member's outbox, the last of them at {@code conversationSeq}. */
  private record Delivered(int messages, long conversationSeq) implements Command {}

  private record DeliveryFailed(long conversationSeq, Throwable cause) implements Command {}

  private record Retry() implements Command {}

  /** Wakes the fan-out when the conversation has messages it has not delivered yet. */
  static void wakeIfBehind(ActorRef<Command> fanOut, ConversationState state) {
    wakeIfBehind(fanOut, state, "");
  }

  /** Wakes the fan-out after the message at the state's {@code lastSeq} was appended, with that message's trace. */
  static void wakeIfBehind(ActorRef<Command> fanOut, ConversationState state, String traceparent) {
    if (state.fannedOutSeq < state.lastSeq) {
      fanOut.tell(new Wake(state.fannedOutSeq, state.lastSeq, List.copyOf(state.members), traceparent));
    }
  }

  static Behavior<Command> create(ActorRef<ConversationEntity.Command> entity, FanOutSettings settings,
      UserOutboxes outboxes) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new FanOut(context, timers, entity, settings, outboxes,
        Tracing.get(context.getSystem()))));
  }

  private final TimerScheduler<Command> timers;
  private final ActorRef<ConversationEntity.Command> entity;
  private final FanOutSettings settings;
  private final UserOutboxes outboxes;
  private final ArrayDeque<ChatMessage> page = new ArrayDeque<>();
  private final Tracing tracing;
  // The traces of messages not delivered yet, by conversation seq: only traced ones (a recorded apply span), at most a
  // page of them (the oldest forgotten first: its delivery is then untraced, never held back).
  private final LinkedHashMap<Long, String> traces = new LinkedHashMap<>();
  // The spans of the traced messages of the round being delivered.
  private final List<Span> delivering = new ArrayList<>();
  private List<String> members = List.of();
  private long delivered;
  private long lastSeq;
  private boolean busy;
  private int attempt;

  private FanOut(ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<ConversationEntity.Command> entity,
      FanOutSettings settings, UserOutboxes outboxes, Tracing tracing) {
    super(context);
    this.tracing = tracing;
    this.timers = timers;
    this.entity = entity;
    this.settings = settings;
    this.outboxes = outboxes;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wake.class, this::onWake)
        .onMessage(Page.class, this::onPage)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(DeliveryFailed.class, this::onDeliveryFailed)
        .onMessage(Retry.class, retry -> deliverNext())
        .build();
  }

  private Behavior<Command> onWake(Wake wake) {
    members = wake.members();
    if (!wake.traceparent().isEmpty()) {
      traces.put(wake.lastSeq(), wake.traceparent());
      if (traces.size() > settings.pageSize()) {
        traces.remove(traces.keySet().iterator().next());
      }
    }
    delivered = Math.max(delivered, wake.fannedOutSeq());
    lastSeq = Math.max(lastSeq, wake.lastSeq());
    if (!busy) {
      // A wake after a round that gave up starts a new round of attempts.
      attempt = 0;
      return deliverNext();
    }
    return this;
  }

  private Behavior<Command> onPage(Page received) {
    received.messages().stream().filter(m -> m.getConversationSeq() > delivered).forEach(page::addLast);
    if (page.isEmpty()) {
      // The entity could not read the journal: try again later, like a failed delivery.
      return onDeliveryFailed(new DeliveryFailed(delivered + 1, new IllegalStateException("no messages after " + delivered)));
    }
    return deliverNext();
  }

  private Behavior<Command> deliverNext() {
    if (page.isEmpty()) {
      if (delivered >= lastSeq) {
        busy = false;
        return this;
      }
      busy = true;
      entity.tell(new ConversationEntity.PageForFanOut(delivered, settings.pageSize(), getContext().getSelf()));
      return this;
    }
    busy = true;
    var round = nextRound();
    for (var message : round) {
      String traceparent = traces.remove(message.getConversationSeq());
      if (traceparent != null) {
        delivering.add(tracing.startFanOut(traceparent, members.size()));
      }
    }
    var delivery = Source.from(members)
        .mapAsyncUnordered(settings.parallelism(), member -> outboxes.enqueueAll(member, round.stream()
            .map(message -> new EnqueuePush.Entry(message.getMessageId() + "/chat/" + member,
                Push.newBuilder().setChatMessage(message).build()))
            .toList()))
        .runWith(Sink.ignore(), getContext().getSystem());
    var first = round.get(0).getConversationSeq();
    var last = round.get(round.size() - 1).getConversationSeq();
    // pipeToSelf continues the stage with handle, which a stream's materialized value would run on a new thread.
    getContext().pipeToSelf(Continuations.onDispatcher(delivery, getContext().getSystem().executionContext()),
        (done, failure) -> failure == null ? new Delivered(round.size(), last) : new DeliveryFailed(first, failure));
    return this;
  }

  /** The page's first messages, up to the round's bounds: at least one, however large. */
  private List<ChatMessage> nextRound() {
    var round = new ArrayList<ChatMessage>();
    long bytes = 0;
    for (var message : page) {
      bytes += message.getSerializedSize();
      if (!round.isEmpty() && (round.size() >= settings.batchMessages() || bytes > settings.batchBytes())) {
        break;
      }
      round.add(message);
    }
    return round;
  }

  private Behavior<Command> onDelivered(Delivered done) {
    delivering.forEach(Span::end);
    delivering.clear();
    for (int i = 0; i < done.messages(); i++) {
      page.pollFirst();
    }
    delivered = done.conversationSeq();
    attempt = 0;
    entity.tell(new ConversationEntity.FannedOut(delivered));
    return deliverNext();
  }

  private Behavior<Command> onDeliveryFailed(DeliveryFailed failed) {
    // A retry is not traced again: the spans say the first attempt failed.
    delivering.forEach(span -> span.setStatus(StatusCode.ERROR, failed.cause().toString()).end());
    delivering.clear();
    attempt++;
    if (attempt >= settings.maxAttempts()) {
      // Nothing is lost: the message is in the journal and the progress point is before it. The entity wakes the
      // fan-out again on its next message or idle check.
      getContext().getLog().error("Fan-out of message {} gave up after {} attempts until the next wake: {}",
          failed.conversationSeq(), attempt, failed.cause().toString());
      page.clear();
      busy = false;
      return this;
    }
    var backoff = settings.backoff(attempt);
    getContext().getLog().warn("Fan-out of message {} failed (attempt {}), again in {} ms: {}",
        failed.conversationSeq(), attempt, backoff.toMillis(), failed.cause().toString());
    timers.startSingleTimer(new Retry(), backoff);
    return this;
  }

  /** herald.chat.conversation.fan-out */
  record FanOutSettings(int parallelism, int pageSize, int batchMessages, long batchBytes, int progressEvery,
      int maxAttempts, Duration minBackoff, Duration maxBackoff, Duration askTimeout) {

    /**
     * The members' outboxes as a conversation asks them: each enqueue once per attempt ({@code ask-timeout}). The
     * fan-out, the membership notices and the parked sends' refusals try again by themselves, from persisted progress.
     */
    UserOutboxes userOutboxes(ActorSystem<?> system) {
      return UserOutboxes.sharded(system, askTimeout, 0, minBackoff, maxBackoff, 0);
    }

    Duration backoff(int attempt) {
      var millis = minBackoff.toMillis() * (1L << Math.min(attempt - 1, 20));
      return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
  }
}
