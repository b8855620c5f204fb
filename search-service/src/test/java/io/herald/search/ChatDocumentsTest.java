package io.herald.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.ConversationCreated;
import io.herald.protocol.events.v1.ConversationMembersChanged;
import io.herald.search.ChatDocuments.Journaled;
import io.herald.search.ChatDocuments.Membership;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The projection's documents: members as of each message, ids from persistence id and sequence number, replays. */
class ChatDocumentsTest {

  private static final String PID = "Conversation|c1";

  private static final List<Journaled> EVENTS = List.of(
      new Journaled(PID, 1, ConversationCreated.newBuilder().setCreatorUserId("alice").addMemberUserIds("bob").build()),
      new Journaled(PID, 2, message("m1", "hello")),
      new Journaled(PID, 4, ConversationMembersChanged.newBuilder().addAddedUserIds("carol")
          .addRemovedUserIds("bob").build()),
      new Journaled(PID, 5, message("m2", "again")));

  @Test
  void eachMessageCarriesTheMembersOfItsTimeAndTheRecordComesLast() {
    var documents = ChatDocuments.documents(EVENTS, Map.of()).documents();

    assertEquals(List.of("Conversation|c1|2", "Conversation|c1|5", "Conversation|c1|members"),
        documents.stream().map(document -> document.get("id")).toList());
    assertEquals(Set.of("alice", "bob"), Set.copyOf((List<?>) documents.get(0).get("members")));
    assertEquals(Set.of("alice", "carol"), Set.copyOf((List<?>) documents.get(1).get("members")));
    assertEquals("c1", documents.get(0).get("conversation_id"));
    assertEquals("m1", documents.get(0).get("message_id"));
    assertEquals(5L, documents.get(2).get("applied_seq_nr"));
    assertEquals(Set.of("alice", "carol"), Set.copyOf((List<?>) documents.get(2).get("members")));
  }

  @Test
  void aReplayFromAnOlderOffsetRewritesNothingAndGoesOnWhereItStopped() {
    var applied = ChatDocuments.documents(EVENTS.subList(0, 3), Map.of()).documents();
    var record = applied.get(applied.size() - 1);

    var replayed = ChatDocuments.documents(EVENTS, Map.of(PID, ChatDocuments.membership(record))).documents();

    assertEquals(List.of("Conversation|c1|5", "Conversation|c1|members"),
        replayed.stream().map(document -> document.get("id")).toList(),
        "only the event after the record's applied_seq_nr; m1 is not rewritten with later members");
    assertEquals(Set.of("alice", "carol"), Set.copyOf((List<?>) replayed.get(0).get("members")));
    assertEquals(List.of(), ChatDocuments.documents(EVENTS,
        Map.of(PID, new Membership(Set.of("alice", "carol"), 5))).documents(), "all applied: nothing to write");
  }

  @Test
  void anUpdateChangesMembersWhenItCreatesARecordOrNamesOtherMembersAndNotForMessagesAlone() {
    assertEquals(true, ChatDocuments.documents(EVENTS.subList(0, 2), Map.of()).changesMembers(),
        "the conversation's first record");
    var afterCreation = Map.of(PID, new Membership(Set.of("alice", "bob"), 1));
    assertEquals(false, ChatDocuments.documents(EVENTS.subList(1, 2), afterCreation).changesMembers(),
        "a message: the record moves its applied_seq_nr only");
    assertEquals(true, ChatDocuments.documents(EVENTS.subList(1, 3), afterCreation).changesMembers(),
        "carol added, bob removed");
    assertEquals(true, ChatDocuments.documents(EVENTS.subList(3, 4), Map.of()).changesMembers(),
        "a message of a conversation without a record writes its first one");
  }

  private static ChatMessageAppended message(String id, String text) {
    return ChatMessageAppended.newBuilder().setMessageId(id).setSenderUserId("alice").setText(text)
        .setReceivedAtMs(1_000).build();
  }
}
