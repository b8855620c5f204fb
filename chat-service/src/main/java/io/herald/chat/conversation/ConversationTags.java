package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.ConversationCreated;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersChanged;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.persistence.TagSlices;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Which Conversation events read-side projections follow (chat search, docs/design.md "Read side"): its creation,
 * membership changes and messages, each tagged with the conversation's slice tag ({@link TagSlices#chat}). Read
 * pointers, fan-out progress, parked sends and notices stay untagged: they cost no tag_views write.
 */
final class ConversationTags {

  private final TagSlices slices;

  ConversationTags(TagSlices slices) {
    this.slices = slices;
  }

  static ConversationTags forSystem(ActorSystem<?> system) {
    return new ConversationTags(TagSlices.chat(system.settings().config()));
  }

  Set<String> tagsFor(String conversationId, Event event) {
    if (event instanceof ConversationCreated || event instanceof ConversationMembersChanged
        || event instanceof ChatMessageAppended) {
      return Set.of(slices.tagFor(conversationId));
    }
    return Set.of();
  }
}
