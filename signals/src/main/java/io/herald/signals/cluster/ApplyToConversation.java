package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.ingress.v1.IngressRecord;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Apply one record of herald.ingress (create_conversation, chat_send, chat_read, add_members, remove_members,
 * leave_conversation) to its conversation; the reply comes once the effect is durable and carries the pushes for the
 * members (read_receipt).
 */
public record ApplyToConversation(IngressRecord record, ActorRef<IngressApplied> replyTo) implements ConversationSignal {}
