package io.herald.load.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read side against the journal: every chat message the Conversation journal holds must be in the search index
 * once, under the document id the projection derives from its journal row ({@code <persistence id>|<sequence nr>}),
 * holding that message; no other document may hold a journaled message (found twice) and none may hold a message
 * the journal does not have.
 */
final class SearchCheck {

  /** Examples kept per kind of finding: enough to start looking, bounded. */
  static final int MAX_EXAMPLES = 10;

  /** One chat message as a conversation's journal holds it. */
  record Journaled(String documentId, String conversationId, String messageId, String senderUserId, String text) {}

  /** One message document as the index holds it. */
  record Indexed(String documentId, String messageId) {}

  /**
   * @param journaled chat messages in the journal, by row (a message the journal holds twice counts twice)
   * @param indexedOnce of those, found under their document id with their message and in no other document
   * @param missing journal rows whose document is not in the index, or holds another message
   * @param doubled documents beyond the expected ones that hold a journaled message: that message is found twice
   * @param unexpected documents holding a message the journal does not have
   * @param examples a few of the findings, each naming its document and message
   */
  record Comparison(long journaled, long indexedOnce, long missing, long doubled, long unexpected,
      List<String> examples) {

    Comparison {
      examples = List.copyOf(examples);
    }

    /** Every journaled message in the index once, nothing else there. */
    boolean exact() {
      return indexedOnce == journaled && missing == 0 && doubled == 0 && unexpected == 0;
    }
  }

  private SearchCheck() {}

  /** The projection's document id of a journal row. */
  static String documentId(String persistenceId, long sequenceNr) {
    return persistenceId + "|" + sequenceNr;
  }

  /** Compares the index's message documents of the run's conversations with their journals. */
  static Comparison compare(Collection<Journaled> journal, Collection<Indexed> index) {
    Map<String, Journaled> expected = new LinkedHashMap<>();
    Set<String> journaledMessages = new HashSet<>();
    for (Journaled row : journal) {
      expected.put(row.documentId(), row);
      journaledMessages.add(row.messageId());
    }
    Map<String, Indexed> found = new HashMap<>();
    var examples = new ArrayList<String>();
    long doubled = 0;
    long unexpected = 0;
    Set<String> foundTwice = new HashSet<>();
    for (Indexed document : index) {
      if (found.putIfAbsent(document.documentId(), document) != null) {
        doubled++; // the same id listed twice: a second copy of its message
        foundTwice.add(document.messageId());
        example(examples, "document " + document.documentId() + " listed twice");
        continue;
      }
      var row = expected.get(document.documentId());
      if (row != null && row.messageId().equals(document.messageId())) {
        continue;
      }
      if (journaledMessages.contains(document.messageId())) {
        doubled++;
        foundTwice.add(document.messageId());
        example(examples, "message " + document.messageId() + " also in document " + document.documentId()
            + (row == null ? ", which the journal does not have" : " instead of " + row.messageId()));
      } else {
        unexpected++;
        example(examples, "document " + document.documentId() + " holds message " + document.messageId()
            + ", which the journal does not have");
      }
    }
    long missing = 0;
    long once = 0;
    for (Journaled row : expected.values()) {
      Indexed document = found.get(row.documentId());
      if (document == null || !document.messageId().equals(row.messageId())) {
        missing++;
        example(examples, "message " + row.messageId() + " of " + row.conversationId() + " not in document "
            + row.documentId() + (document == null ? "" : " (it holds " + document.messageId() + ")"));
      } else if (!foundTwice.contains(row.messageId())) {
        once++;
      }
    }
    return new Comparison(expected.size(), once, missing, doubled, unexpected, examples);
  }

  /**
   * Whether the search endpoint's answer finds exactly this message: 200, {@code found} 1, and that one message.
   */
  static boolean foundOnce(int status, JsonNode answer, String messageId) {
    if (status != 200) {
      return false;
    }
    var messages = answer.path("messages");
    return answer.path("found").asLong(-1) == 1 && messages.size() == 1
        && messageId.equals(messages.get(0).path("message_id").asText());
  }

  private static void example(List<String> examples, String example) {
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(example);
    }
  }
}
