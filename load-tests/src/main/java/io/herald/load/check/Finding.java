package io.herald.load.check;

/**
 * One broken invariant, for the report.
 *
 * @param key the device (or push client) it concerns
 * @param subject the message id, or the push sequence number
 * @param copies for a duplicate, every journal row that applied the message (writer, sequence number, time), where
 *     the journal was read; otherwise empty
 */
public record Finding(Kind kind, String key, String subject, java.util.List<JournalEntry> copies) {

  public Finding {
    copies = java.util.List.copyOf(copies);
  }

  public Finding(Kind kind, String key, String subject) {
    this(kind, key, subject, java.util.List.of());
  }

  public enum Kind {
    /** Acked, but its device never applied it. */
    LOST,
    /** Applied more than once. */
    DUPLICATE,
    /** Applied before a message that had to come first. */
    OUT_OF_ORDER,
    /** A push sequence number that never arrived, below one that did. */
    PUSH_GAP,
    /** A push sequence number that arrived again. */
    PUSH_DUPLICATE
  }
}
