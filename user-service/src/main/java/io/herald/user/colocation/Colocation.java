package io.herald.user.colocation;

import com.typesafe.config.Config;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herald.user.colocation: User entities live on the node that consumes their partition (the kafka-to-sharding
 * pattern). Their shard is the partition ({@link PartitionShards}), and the shard coordinator places each shard where
 * the consumer told it the partition is consumed ({@link ExternalShardAllocationStrategy}); when a rebalance moves
 * a partition, the shard follows. Off: shards are placed by Pekko's default strategy, wherever.
 */
public record Colocation(boolean enabled, int partitions, int numberOfShards) {

  private static final Logger log = LoggerFactory.getLogger(Colocation.class);

  public static Colocation fromConfig(Config config) {
    return new Colocation(config.getBoolean("herald.user.colocation.enabled"),
        config.getInt("herald.kafka.topics.ingress-partitions"),
        config.getInt("pekko.cluster.sharding.number-of-shards"));
  }

  /** How a User entity id maps to its shard on every node (the same function everywhere, host or proxy). */
  public ShardingMessageExtractor<ShardingEnvelope<UserSignal>, UserSignal> userShards() {
    return enabled ? new PartitionShards<>(partitions) : new HashCodeMessageExtractor<>(numberOfShards);
  }

  /** How any other entity id maps to its shard: Pekko's default. */
  public <M> ShardingMessageExtractor<ShardingEnvelope<M>, M> defaultShards() {
    return new HashCodeMessageExtractor<>(numberOfShards);
  }

  public Entity<UserSignal, ShardingEnvelope<UserSignal>> apply(
      ActorSystem<?> system, Entity<UserSignal, ShardingEnvelope<UserSignal>> users) {
    var placed = users.withMessageExtractor(userShards());
    return enabled
        ? placed.withAllocationStrategy(ExternalShardAllocationStrategy.create(system, UserSignal.ENTITY_TYPE, Duration.ofSeconds(5)))
        : placed;
  }

  /** The consumer got these partitions: their User shards belong here. */
  public void consumedHere(ActorSystem<?> system, Set<TopicPartition> assigned) {
    if (!enabled || assigned.isEmpty()) {
      return;
    }
    var here = Cluster.get(system).selfMember().address();
    Map<String, org.apache.pekko.actor.Address> locations = assigned.stream()
        .map(p -> String.valueOf(p.partition()))
        .collect(Collectors.toMap(Function.identity(), shard -> here, (a, b) -> a));
    ExternalShardAllocation.get(system).getClient(UserSignal.ENTITY_TYPE).setShardLocations(locations)
        .whenCompleteAsync((done, failure) -> {
          if (failure != null) {
            // The shards stay where they are (still correct, one hop away); the next assignment tries again.
            log.warn("Could not place User shards {} on {}: {}", locations.keySet(), here, failure.toString());
          }
        }, system.executionContext());
  }
}
