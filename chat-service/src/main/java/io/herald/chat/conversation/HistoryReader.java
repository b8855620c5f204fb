package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.PageForFanOut;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.signals.cluster.GetHistory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads a conversation's messages for history and for its fan-out. The journal is the conversation's history: recent
 * pages come from the messages the entity keeps in memory, older ones from reading the journal by persistence id
 * through the entity's event adapter (no projection to keep consistent, no extra writes; a page costs one partition
 * read bounded by its limit). Lives in the entity's actor: it reads the state it is given and replies from a Pekko
 * dispatcher.
 */
final class HistoryReader {

  private final String conversationId;
  private final String persistenceId;
  private final ConversationSettings settings;
  private final ActorContext<?> context;
  // Taken on the actor's thread: the replies are sent from a dispatcher thread, where the context's own may not be.
  private final Logger log;
  private final EffectFactories<Event, ConversationState> effect;
  private final ConversationEventAdapter adapter = new ConversationEventAdapter();

  HistoryReader(String conversationId, String persistenceId, ConversationSettings settings, ActorContext<?> context,
      EffectFactories<Event, ConversationState> effect) {
    this.effect = effect;
    this.conversationId = conversationId;
    this.persistenceId = persistenceId;
    this.settings = settings;
    this.context = context;
    this.log = context.getLog();
  }

  /**
   * Replies with the page after {@code afterSeq}; {@code found} false to a requester who is not a member, and
   * {@code read_failed} when the journal could not be read (nothing is lost: the requester asks again).
   */
  ReplyEffect<Event, ConversationState> history(ConversationState state, GetHistory get) {
    if (!state.members.contains(get.requesterUserId())) {
      return effect.reply(get.replyTo(),
          ConversationHistory.newBuilder().setFound(false).setConversationId(conversationId).build());
    }
    var lastSeq = state.lastSeq;
    messagesAfter(state, get.afterSeq(), get.limit()).whenCompleteAsync((page, failure) -> {
      var history = ConversationHistory.newBuilder().setFound(true).setConversationId(conversationId)
          .setLastSeq(lastSeq);
      if (failure != null) {
        log.warn("History of {} could not be read: {}", conversationId, failure.toString());
        history.setReadFailed(true);
      } else {
        history.addAllMessages(page.stream().map(this::chatMessage).toList());
      }
      get.replyTo().tell(history.build());
    }, context.getSystem().executionContext());
    return effect.noReply();
  }

  /** The fan-out's next page; an empty one when the journal could not be read (the fan-out asks again). */
  ReplyEffect<Event, ConversationState> pageForFanOut(ConversationState state, PageForFanOut get) {
    messagesAfter(state, get.afterSeq(), get.limit()).whenCompleteAsync((page, failure) -> {
      if (failure != null) {
        log.warn("Fan-out of {} could not read its messages: {}", conversationId, failure.toString());
      }
      get.replyTo().tell(new FanOut.Page(failure != null ? List.of()
          : page.stream().map(this::chatMessage).toList()));
    }, context.getSystem().executionContext());
    return effect.noReply();
  }

  /**
   * Messages after {@code afterSeq}, ascending, at most {@code limit} and at most {@code history-page-max-bytes} of
   * them (at least one): from the ones kept in memory when they reach back far enough, else from the journal.
   */
  private CompletionStage<List<ChatMessageAppended>> messagesAfter(ConversationState state, long afterSeq, int limit) {
    var oldestInMemory = state.recentMessages.isEmpty()
        ? state.lastSeq + 1 : state.recentMessages.peekFirst().conversationSeq();
    if (afterSeq + 1 >= oldestInMemory) {
      return CompletableFuture.completedFuture(withinPageBytes(state.recentMessages.stream()
          .filter(m -> m.conversationSeq() > afterSeq).limit(limit).toList()));
    }
    // Each message's journal sequence number is above its conversation_seq (creation came first).
    return settings.journal().apply(persistenceId, afterSeq + 1)
        .mapConcat(envelope -> CollectionConverters.asJava(
            adapter.fromJournal((com.google.protobuf.Message) envelope.event(), "").events()))
        .filter(event -> event instanceof ChatMessageAppended appended && appended.conversationSeq() > afterSeq)
        .map(ChatMessageAppended.class::cast)
        .take(limit)
        .runWith(Sink.seq(), context.getSystem())
        .thenApply(this::withinPageBytes);
  }

  /** The longest prefix within history-page-max-bytes (in stored form), never empty if the page is not. */
  private List<ChatMessageAppended> withinPageBytes(List<ChatMessageAppended> page) {
    long bytes = 0;
    for (int i = 0; i < page.size(); i++) {
      bytes += ConversationEventAdapter.toProto(page.get(i)).getSerializedSize();
      if (bytes > settings.historyPageMaxBytes() && i > 0) {
        return page.subList(0, i);
      }
    }
    return page;
  }

  private ChatMessage chatMessage(ChatMessageAppended m) {
    return ChatMessage.newBuilder().setConversationId(conversationId).setConversationSeq(m.conversationSeq())
        .setSenderUserId(m.senderUserId()).setMessageId(m.messageId()).setText(m.text())
        .setSentAtMs(m.sentAtMs()).build();
  }
}
