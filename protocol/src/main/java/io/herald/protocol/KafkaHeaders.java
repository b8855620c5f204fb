package io.herald.protocol;

/** Header names of Herald's Kafka records (herald.ingress, herald.dead-letter): part of the record schema. */
public final class KafkaHeaders {

  private KafkaHeaders() {}

  public static final String MESSAGE_ID = "message_id";
  public static final String USER = "user";
  public static final String DEVICE = "device";
  public static final String TRACEPARENT = "traceparent";
  /** On herald.dead-letter: why the record could not be applied. */
  public static final String DEAD_LETTER_REASON = "herald.dead-letter.reason";
  /** On herald.dead-letter: where it came from, as topic-partition@offset. */
  public static final String DEAD_LETTER_SOURCE = "herald.dead-letter.source";
}
