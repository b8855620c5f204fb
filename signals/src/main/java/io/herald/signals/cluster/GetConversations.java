package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.ConversationList;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Read the conversations the User entity's user is a member of, ascending by id: at most {@code limit} after
 * {@code afterConversationId} (empty: from the first).
 */
public record GetConversations(String afterConversationId, int limit, ActorRef<ConversationList> replyTo)
    implements UserSignal {}
