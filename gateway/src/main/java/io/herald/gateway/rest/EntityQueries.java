package io.herald.gateway.rest;

import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import io.herald.signals.cluster.ConversationSignal;
import io.herald.signals.cluster.DeviceSignal;
import io.herald.signals.cluster.GetConversations;
import io.herald.signals.cluster.GetDeviceOwner;
import io.herald.signals.cluster.GetHistory;
import io.herald.signals.cluster.GetShadow;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How the gateway reads entities (the REST endpoints, the set_desired ownership check): by entity type name through
 * Cluster Sharding on a cluster node; on a plain ActorSystem there are no entities and every query fails with
 * {@link NoEntitiesException}.
 */
public interface EntityQueries {

  CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId);

  /** Who owns the device (an empty owner: no such device). */
  CompletionStage<DeviceOwner> owner(String deviceId);

  CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq, int limit);

  /** The conversations the user is a member of, ascending by id, after {@code afterConversationId}. */
  CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit);

  /** This node reaches no entities (not a cluster member). */
  final class NoEntitiesException extends RuntimeException {
    public NoEntitiesException() {
      super("this node reaches no entities");
    }
  }

  static EntityQueries forSystem(ActorSystem<?> system, Duration timeout) {
    var provider = system.settings().config().getString("pekko.actor.provider");
    if (!provider.equals("cluster") && !provider.equals("org.apache.pekko.cluster.ClusterActorRefProvider")) {
      return none();
    }
    var sharding = ClusterSharding.get(system);
    return new EntityQueries() {
      @Override
      public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
        return sharding.entityRefFor(DeviceSignal.TYPE_KEY, deviceId)
            .ask(replyTo -> new GetShadow(requesterUserId, replyTo), timeout);
      }

      @Override
      public CompletionStage<DeviceOwner> owner(String deviceId) {
        return sharding.entityRefFor(DeviceSignal.TYPE_KEY, deviceId).ask(GetDeviceOwner::new, timeout);
      }

      @Override
      public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq, int limit) {
        return sharding.entityRefFor(ConversationSignal.TYPE_KEY, conversationId)
            .ask(replyTo -> new GetHistory(requesterUserId, afterSeq, limit, replyTo), timeout);
      }

      @Override
      public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
        return sharding.entityRefFor(UserSignal.TYPE_KEY, userId)
            .ask(replyTo -> new GetConversations(afterConversationId, limit, replyTo), timeout);
      }
    };
  }

  static EntityQueries none() {
    return new EntityQueries() {
      @Override
      public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
        return CompletableFuture.failedFuture(new NoEntitiesException());
      }

      @Override
      public CompletionStage<DeviceOwner> owner(String deviceId) {
        return CompletableFuture.failedFuture(new NoEntitiesException());
      }

      @Override
      public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq, int limit) {
        return CompletableFuture.failedFuture(new NoEntitiesException());
      }

      @Override
      public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
        return CompletableFuture.failedFuture(new NoEntitiesException());
      }
    };
  }
}
