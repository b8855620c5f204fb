package io.herald.chat.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.ConversationCreated;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersChanged;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersNotified;
import io.herald.chat.conversation.ConversationEntity.FanOutProgressed;
import io.herald.chat.conversation.ConversationEntity.ReadPointerMoved;
import io.herald.persistence.TagSlices;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Chat search follows creation, membership and messages, each conversation on one slice tag; nothing else. */
class ConversationTagsTest {

  private final ConversationTags tags = new ConversationTags(new TagSlices("chat", 4));

  @Test
  void searchedEventsCarryTheConversationsSliceTagOthersNone() {
    var tag = Set.of(new TagSlices("chat", 4).tagFor("c1"));
    assertEquals(tag, tags.tagsFor("c1", new ConversationCreated("m0", "alice", List.of("alice", "bob"), 1)));
    assertEquals(tag, tags.tagsFor("c1", new ChatMessageAppended("m1", 1, "alice", "hi", 2, 3)));
    assertEquals(tag, tags.tagsFor("c1",
        new ConversationMembersChanged("m2", "alice", List.of("carol"), List.of(), "alice", 4)));
    assertEquals(Set.of(), tags.tagsFor("c1", new ReadPointerMoved("m3", "bob", 1, 5)));
    assertEquals(Set.of(), tags.tagsFor("c1", new FanOutProgressed(1)));
    assertEquals(Set.of(), tags.tagsFor("c1", new ConversationMembersNotified(1)));
  }

  @Test
  void conversationsSpreadOverEverySliceAndNoOther() {
    var seen = new HashSet<String>();
    for (int i = 0; i < 200; i++) {
      seen.addAll(tags.tagsFor("conversation-" + i, new ChatMessageAppended("m", 1, "a", "t", 0, 0)));
    }
    assertEquals(Set.of("chat-0", "chat-1", "chat-2", "chat-3"), seen);
    assertTrue(new TagSlices("chat", 4).tags().containsAll(seen));
  }
}
