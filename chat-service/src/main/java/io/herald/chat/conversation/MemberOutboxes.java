package io.herald.chat.conversation;

import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Where a conversation's fan-out puts pushes: the members' User entities, which enqueue each cause id once. */
@FunctionalInterface
public interface MemberOutboxes {

  CompletionStage<Done> enqueue(String userId, String causeId, Push push);

  /** The User entities of the cluster, reached by entity type name (the chat-service never imports user-service). */
  static MemberOutboxes sharded(ActorSystem<?> system, Duration askTimeout) {
    var sharding = ClusterSharding.get(system);
    return (userId, causeId, push) -> sharding.entityRefFor(UserSignal.TYPE_KEY, userId)
        .ask(replyTo -> new EnqueuePush(causeId, push, replyTo), askTimeout);
  }
}
