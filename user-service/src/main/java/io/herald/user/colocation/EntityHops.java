package io.herald.user.colocation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.Patterns;

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
    // The region's shard statistics (an entity count per shard), not its state: GetShardRegionState makes every shard
    // copy the ids of all its entities into a set, each refresh, which on a node holding tens of thousands of
    // entities was 3 % of its CPU. The classic region of the type is the one typed sharding runs.
    ActorRef region;
    try {
      region = org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system)).shardRegion(type.name());
    } catch (IllegalStateException notStartedYet) {
      // The type is not started on this node (yet): nothing of it is local; the next refresh looks again.
      return;
    }
    Patterns.ask(region, ShardRegion.getRegionStatsInstance(), Duration.ofSeconds(5))
        .thenAcceptAsync(stats -> localShards.put(type.name(),
            Set.copyOf(((ShardRegion.ShardRegionStats) stats).getStats().keySet())), system.executionContext());
  }
}
