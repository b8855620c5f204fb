package io.herald.user.colocation;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * The shard of a User entity is the herald.ingress partition its user id is produced to (Kafka's default
 * partitioner for keyed records: murmur2 of the key), so a shard can be placed where that partition is consumed.
 */
public final class PartitionShards<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {

  private final int partitions;

  public PartitionShards(int partitions) {
    this.partitions = partitions;
  }

  public static String shardOf(String key, int partitions) {
    return String.valueOf(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions);
  }

  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return shardOf(entityId, partitions);
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}
