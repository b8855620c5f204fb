package io.herald.gateway.ingress;

import java.time.Duration;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * How publishing one record ended, as far as the client is concerned. Never an exception: every transport turns each
 * case into exactly one answer ({@code ack}, or {@code RETRY_LATER} with {@link NotTaken#retryAfter()}).
 */
public sealed interface PublishResult {

  /** Kafka acknowledged the record (acks=all): the client may forget it. */
  record Durable(RecordMetadata metadata) implements PublishResult {}

  /**
   * The client gets {@code RETRY_LATER}. The record may still land in Kafka later (after {@link
   * Reason#NO_ANSWER_IN_TIME}); that is fine: the client resends with the same message id and downstream deduplicates.
   *
   * @param retryAfter the {@code retry_after_ms} to tell the client
   * @param detail why, for the client
   */
  record NotTaken(Reason reason, Duration retryAfter, String detail) implements PublishResult {}

  enum Reason {
    /** Kafka reported a failure for the record (or send refused it, e.g. buffer full past max.block.ms). */
    KAFKA_FAILED,
    /** Kafka did not answer within the answer bound; the client is not kept waiting longer. */
    NO_ANSWER_IN_TIME,
    /** The breaker is open (Kafka looked unreachable): the record was not handed to Kafka at all. */
    BREAKER_OPEN
  }
}
