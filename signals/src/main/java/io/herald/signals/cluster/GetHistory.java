package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.ConversationHistory;
import org.apache.pekko.actor.typed.ActorRef;

/** Read up to {@code limit} messages after {@code afterSeq}, ascending; members only (found = false otherwise). */
public record GetHistory(String requesterUserId, long afterSeq, int limit, ActorRef<ConversationHistory> replyTo)
    implements ConversationSignal {}
