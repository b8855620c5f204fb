package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.ingress.v1.IngressRecord;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Apply one record of herald.ingress (create_conversation, chat_send, chat_read, add_members, remove_members,
 * leave_conversation) to its conversation; the reply comes once the effect is durable and carries the pushes for the
 * members (read_receipt).
 *
 * @param traceparent the W3C traceparent of the record's apply span when that span is recorded, else empty: a chat
 *     message's fan-out is traced as its child
 */
public record ApplyToConversation(IngressRecord record, ActorRef<IngressApplied> replyTo, String traceparent)
    implements ConversationSignal {

  /** Without a trace to continue. */
  public ApplyToConversation(IngressRecord record, ActorRef<IngressApplied> replyTo) {
    this(record, replyTo, "");
  }
}
