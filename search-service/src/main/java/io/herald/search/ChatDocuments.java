package io.herald.search;

import com.google.protobuf.Message;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.ConversationCreated;
import io.herald.protocol.events.v1.ConversationMembersChanged;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Solr documents of a batch of tagged Conversation events, in journal order: one {@code message} document per
 * message, with the members the conversation had when it was sent, and one {@code members} record per conversation:
 * its members as of the last event applied and that event's sequence number ({@code applied_seq_nr}).
 *
 * <p>Replays are exact: an event at or below its conversation's {@code applied_seq_nr} was applied before and is
 * skipped, so a message document is never rewritten with a later membership. The records go last in the update, after
 * the messages they account for (one shard: Solr applies one update's documents in order), so a record never claims
 * a message that was not written.
 */
final class ChatDocuments {

  /** Where a conversation's membership stands for the projection. */
  record Membership(Set<String> members, long appliedSeqNr) {
    static final Membership NONE = new Membership(Set.of(), 0);
  }

  /** One journal event of a conversation, as the projection reads it. */
  record Journaled(String persistenceId, long sequenceNr, Message event) {}

  /**
   * One Solr update: its documents, and whether it writes a membership record that is new or names other members
   * than before (the indexer commits such an update before the projection saves its offset; see ChatIndexer).
   */
  record Update(List<Map<String, Object>> documents, boolean changesMembers) {}

  private ChatDocuments() {}

  /** A conversation's id from its persistence id ({@code Conversation|<id>}). */
  static String conversationId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }

  static String messageDocumentId(String persistenceId, long sequenceNr) {
    return persistenceId + "|" + sequenceNr;
  }

  static String membershipDocumentId(String persistenceId) {
    return persistenceId + "|members";
  }

  static Membership membership(Map<String, Object> document) {
    return new Membership(Set.copyOf(strings(document.get("members"))),
        ((Number) document.getOrDefault("applied_seq_nr", 0L)).longValue());
  }

  /**
   * The documents to write for these events, given each conversation's membership before them (by persistence id;
   * missing: none yet). Messages first, then the changed membership records.
   */
  static Update documents(List<Journaled> events, Map<String, Membership> before) {
    var current = new LinkedHashMap<>(before);
    var changed = new LinkedHashSet<String>();
    var documents = new ArrayList<Map<String, Object>>();
    for (var journaled : events) {
      var pid = journaled.persistenceId();
      var membership = current.getOrDefault(pid, Membership.NONE);
      if (journaled.sequenceNr() <= membership.appliedSeqNr()) {
        continue; // applied before: a replay after a restart
      }
      var members = new LinkedHashSet<>(membership.members());
      if (journaled.event() instanceof ConversationCreated created) {
        members.add(created.getCreatorUserId());
        members.addAll(created.getMemberUserIdsList());
      } else if (journaled.event() instanceof ConversationMembersChanged membersChanged) {
        members.addAll(membersChanged.getAddedUserIdsList());
        members.removeAll(membersChanged.getRemovedUserIdsList());
      } else if (journaled.event() instanceof ChatMessageAppended appended) {
        var document = new LinkedHashMap<String, Object>();
        document.put("id", messageDocumentId(pid, journaled.sequenceNr()));
        document.put("kind", "message");
        document.put("conversation_id", conversationId(pid));
        document.put("message_id", appended.getMessageId());
        document.put("conversation_seq", appended.getConversationSeq());
        document.put("sender", appended.getSenderUserId());
        document.put("members", List.copyOf(members));
        document.put("text", appended.getText());
        document.put("at_ms", appended.getReceivedAtMs());
        documents.add(document);
      }
      // Any other event (none is tagged today) only moves applied_seq_nr.
      current.put(pid, new Membership(Set.copyOf(members), journaled.sequenceNr()));
      changed.add(pid);
    }
    var changesMembers = false;
    for (var pid : changed) {
      var membership = current.get(pid);
      var previous = before.get(pid);
      changesMembers |= previous == null || !previous.members().equals(membership.members());
      var record = new LinkedHashMap<String, Object>();
      record.put("id", membershipDocumentId(pid));
      record.put("kind", "members");
      record.put("conversation_id", conversationId(pid));
      record.put("members", List.copyOf(membership.members()));
      record.put("applied_seq_nr", membership.appliedSeqNr());
      documents.add(record);
    }
    return new Update(documents, changesMembers);
  }

  private static List<String> strings(Object values) {
    if (values instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return values == null ? List.of() : List.of(String.valueOf(values));
  }
}
