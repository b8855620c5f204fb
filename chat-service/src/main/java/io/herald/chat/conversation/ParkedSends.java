package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.Apply;
import io.herald.chat.conversation.ConversationEntity.ChatSendParked;
import io.herald.chat.conversation.ConversationEntity.Command;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.ParkedChatSendRefused;
import io.herald.chat.conversation.ConversationEntity.ParkedRefusalDelivered;
import io.herald.chat.conversation.ConversationEntity.ParkedRefusalFailed;
import io.herald.chat.conversation.ConversationEntity.ParkedSend;
import io.herald.persistence.PersistLatency;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.Rejected;
import io.herald.signals.cluster.Outcomes;
import io.herald.signals.cluster.UserOutboxes;
import io.herald.signals.concurrent.Continuations;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The chat_sends that came before their conversation's creation. The creation may still be on its way from the
 * creator's partition (acked is not applied): the send waits in the entity's state, persisted, so its sender's records
 * move on (a consumer that held it would hold up every record of that user behind it, perhaps the creation itself).
 * The creation gives the members' sends their places; the others, and every send whose creation did not come within
 * {@code parked.timeout}, are refused. Lives in the entity's actor.
 */
final class ParkedSends {

  private final String conversationId;
  private final ConversationSettings settings;
  private final ActorContext<Command> context;
  private final EffectFactories<Event, ConversationState> effect;
  private final PersistLatency persistLatency;
  private final Clock clock;
  private final UserOutboxes outboxes;
  // Actor-local: parked sends whose refusal is on its way to the sender's outbox.
  private final Set<String> refusing = new HashSet<>();

  ParkedSends(String conversationId, ConversationSettings settings, ActorContext<Command> context,
      EffectFactories<Event, ConversationState> effect, PersistLatency persistLatency, Clock clock,
      UserOutboxes outboxes) {
    this.conversationId = conversationId;
    this.settings = settings;
    this.context = context;
    this.effect = effect;
    this.persistLatency = persistLatency;
    this.clock = clock;
    this.outboxes = outboxes;
  }

  /**
   * Parks the send. When {@code parked.capacity} sends (or {@code parked.max-bytes}) already wait, the sender is told
   * to send again later (push.rejected RETRY_LATER): nothing waits in the pipeline.
   */
  ReplyEffect<Event, ConversationState> park(ConversationState state, Apply command) {
    var record = command.request().record();
    var send = record.getFrame().getChatSend();
    var parked = new ParkedSend(record.getMessageId(), record.getUserId(), send.getText(),
        record.getFrame().getSentAtMs(), record.getReceivedAtMs());
    if (state.parked.size() >= settings.parked().capacity()
        || state.parkedBytes + ConversationState.bytes(parked) > settings.parked().maxBytes()) {
      return effect.reply(command.request().replyTo(), Outcomes.retryLater(record.getMessageId(),
          settings.parked().retryAfter().toMillis(), state.parked.size() + " sends (" + state.parkedBytes
              + " bytes) already wait for conversation " + conversationId + " to be created"));
    }
    var started = PersistLatency.start();
    return effect.persist(new ChatSendParked(parked))
        .thenRun(s -> persistLatency.since(started))
        .thenReply(command.request().replyTo(), s -> Outcomes.applied(record.getMessageId(), false));
  }

  /**
   * Parked sends that will never get a place: their sender is not a member of the created conversation, or no
   * creation came within {@code parked.timeout} of the ack. Each sender gets push.rejected (FORBIDDEN, the same cause
   * id the pipeline uses for refusals), then the refusal is persisted ({@link #delivered}); a crash in between repeats
   * the push, which the User entity recognises.
   */
  void refuse(ConversationState state) {
    var now = clock.millis();
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
              outboxes.enqueue(parked.senderUserId(), parked.messageId() + "/rejected", push),
              context.getSystem().executionContext()),
          (done, failure) -> failure == null
              ? new ParkedRefusalDelivered(parked.messageId())
              : new ParkedRefusalFailed(parked.messageId(), failure));
    }
  }

  ReplyEffect<Event, ConversationState> delivered(ParkedRefusalDelivered delivered) {
    refusing.remove(delivered.messageId());
    return effect.persist(new ParkedChatSendRefused(delivered.messageId())).thenNoReply();
  }

  /** Tried again at the next idle check. */
  ReplyEffect<Event, ConversationState> failed(ParkedRefusalFailed failed) {
    refusing.remove(failed.messageId());
    context.getLog().warn("The refusal of parked send {} could not be delivered yet (again at the next idle check): {}",
        failed.messageId(), failed.cause().toString());
    return effect.noReply();
  }
}
