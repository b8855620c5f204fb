package io.herald.node.health;

import io.herald.signals.cluster.ConversationSignal;
import io.herald.signals.cluster.DeviceSignal;
import io.herald.signals.cluster.UserSignal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.sharding.ClusterSharding;

/**
 * Readiness: true once this node has started the shard regions (host or proxy) of every Herald entity type, so a
 * frame it takes in can reach its entity. Until then the load balancer keeps sending elsewhere.
 */
public final class ShardRegionsStarted implements Supplier<CompletionStage<Boolean>> {

  static final List<String> ENTITY_TYPES =
      List.of(UserSignal.ENTITY_TYPE, DeviceSignal.ENTITY_TYPE, ConversationSignal.ENTITY_TYPE);

  private final ClusterSharding sharding;

  public ShardRegionsStarted(ActorSystem system) {
    this.sharding = ClusterSharding.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(sharding.getShardTypeNames().containsAll(ENTITY_TYPES));
  }
}
