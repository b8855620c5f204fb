package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.ingress.v1.IngressRecord;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Apply one record of herald.ingress to the entity it belongs to: the ingest pipeline's one signal to a Device
 * (telemetry, heartbeat, report_state, set_desired), a User (push_ack) or a Conversation (create_conversation,
 * chat_send, chat_read, add_members, remove_members, leave_conversation). The reply comes once the effect is durable
 * and carries the pushes it causes, for the pipeline to put into the users' outboxes before it commits.
 *
 * @param traceparent the W3C traceparent of the record's apply span when that span is recorded and the entity
 *     continues the trace past its reply (a chat message's fan-out is its child), else empty
 */
public record ApplyRecord(IngressRecord record, ActorRef<IngressApplied> replyTo, String traceparent)
    implements DeviceSignal, UserSignal, ConversationSignal {

  /** Without a trace to continue. */
  public ApplyRecord(IngressRecord record, ActorRef<IngressApplied> replyTo) {
    this(record, replyTo, "");
  }
}
