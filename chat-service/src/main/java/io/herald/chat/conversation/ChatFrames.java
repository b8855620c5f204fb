package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.Apply;
import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.ReadPointerMoved;
import io.herald.persistence.PersistLatency;
import io.herald.signals.cluster.Outcomes;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A member's chat_send (the next conversation_seq, persisted before the reply, then fanned out; parked before the
 * creation) and chat_read (the reader's pointer moves forward, and the other members get a read receipt). Lives in the
 * entity's actor.
 */
final class ChatFrames {

  private final EffectFactories<Event, ConversationState> effect;
  private final PersistLatency persistLatency;
  private final ActorRef<FanOut.Command> fanOut;
  private final ParkedSends parkedSends;
  private final MembershipChanges membership;

  ChatFrames(EffectFactories<Event, ConversationState> effect, PersistLatency persistLatency,
      ActorRef<FanOut.Command> fanOut, ParkedSends parkedSends, MembershipChanges membership) {
    this.effect = effect;
    this.persistLatency = persistLatency;
    this.fanOut = fanOut;
    this.parkedSends = parkedSends;
    this.membership = membership;
  }

  ReplyEffect<Event, ConversationState> send(ConversationState state, Apply command) {
    var record = command.request().record();
    var user = record.getUserId();
    if (!state.created()) {
      return parkedSends.park(state, command);
    }
    if (!state.members.contains(user)) {
      return membership.notAMember(command, user);
    }
    var started = PersistLatency.start();
    return effect.persist(new ChatMessageAppended(record.getMessageId(), state.lastSeq + 1, user,
            record.getFrame().getChatSend().getText(), record.getFrame().getSentAtMs(), record.getReceivedAtMs()))
        .thenRun(s -> persistLatency.since(started))
        .thenRun(s -> FanOut.wakeIfBehind(fanOut, s, command.request().traceparent()))
        .thenReply(command.request().replyTo(), s -> Outcomes.applied(record.getMessageId(), false));
  }

  ReplyEffect<Event, ConversationState> read(ConversationState state, Apply command) {
    var record = command.request().record();
    var user = record.getUserId();
    if (!state.created()) {
      // Nothing of it can have reached the reader: only members are told of a conversation, once it exists.
      return membership.doesNotExist(command);
    }
    if (!state.members.contains(user)) {
      return membership.notAMember(command, user);
    }
    // A read pointer only moves forward, and never past the last message.
    var upTo = Math.min(record.getFrame().getChatRead().getUpToSeq(), state.lastSeq);
    if (upTo <= state.readPointers.getOrDefault(user, 0L)) {
      return effect.reply(command.request().replyTo(), Outcomes.applied(record.getMessageId(), false));
    }
    var started = PersistLatency.start();
    return effect.persist(new ReadPointerMoved(record.getMessageId(), user, upTo, record.getReceivedAtMs()))
        .thenRun(s -> persistLatency.since(started))
        .thenReply(command.request().replyTo(),
            s -> Outcomes.withPushes(Outcomes.applied(record.getMessageId(), false), s.receiptsFor(record)));
  }
}
