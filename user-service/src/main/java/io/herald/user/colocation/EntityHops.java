package io.herald.user.colocation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion.ShardState;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Counts the pipeline's asks by where the entity lives: on this node or across the network
 * ({@code herald_ingest_entity_asks_total{entity, node="local|remote"}}). Where is learnt from this node's shard
 * region, refreshed every {@code refresh}; it shows what co-location of shards with partitions saves.
 */
public final class EntityHops {

  private final ActorSystem<?> system;
  private final Map<String, Set<String>> localShards = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public EntityHops(ActorSystem<?> system) {
    this.system = system;
  }

  /** Starts refreshing which shards of these entity types live here. */
  public EntityHops watch(Set<EntityTypeKey<?>> types, Duration refresh) {
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, refresh, () -> types.forEach(this::refresh),
        system.executionContext());
    return this;
  }

  public void count(EntityTypeKey<?> type, ShardingMessageExtractor<?, ?> extractor, String entityId) {
    var local = localShards.getOrDefault(type.name(), Set.of()).contains(extractor.shardId(entityId));
    counters.computeIfAbsent(type.name() + (local ? "/local" : "/remote"), key -> Counter
            .builder("herald.ingest.entity.asks")
            .description("Asks of the ingest pipeline by entity type and whether the entity lived on this node")
            .tag("entity", type.name()).tag("node", local ? "local" : "remote")
            .register(Metrics.globalRegistry))
        .increment();
  }

  private void refresh(EntityTypeKey<?> type) {
    AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(type, replyTo), Duration.ofSeconds(5), system.scheduler())
        .thenAcceptAsync(state -> localShards.put(type.name(),
            state.getShards().stream().map(ShardState::shardId).collect(Collectors.toUnmodifiableSet())),
            system.executionContext());
  }
}
