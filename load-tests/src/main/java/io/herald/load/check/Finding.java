package io.herald.load.check;

/**
 * One broken invariant, for the report.
 *
 * @param key the device (or push client) it concerns
 * @param subject the message id, or the push sequence number
 */
public record Finding(Kind kind, String key, String subject) {

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
