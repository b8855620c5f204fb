package io.herald.user.ingest;

import io.herald.persistence.fence.WriterFence;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffset;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance without redelivery: before a partition goes to another node, the records of it that are in flight are
 * given up to {@code drainTimeout} to be applied, and the offset after the last applied one is committed, so the new
 * owner starts exactly there. (What does not drain in time is redelivered and deduplicated by the entities.)
 *
 * <p>Kafka calls this on its poll thread while the stream applies records on others; the offsets meet in this one
 * monitor, the only state shared between those threads.
 */
final class DrainOnRevoke implements PartitionAssignmentHandler {

  private static final Logger log = LoggerFactory.getLogger(DrainOnRevoke.class);

  private final Duration drainTimeout;
  private final WriterFence fence;
  private final Consumer<Set<TopicPartition>> onAssigned;
  private final Map<TopicPartition, Integer> inFlight = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  // Bumped whenever a partition leaves this consumer: a record stamped with an older epoch was consumed before that.
  private final Map<TopicPartition, Long> epoch = new HashMap<>();

  /** A record, and the epoch of its partition when it was consumed. */
  record Owned(CommittableMessage<String, byte[]> message, TopicPartition partition, long epoch) {}

  DrainOnRevoke(Duration drainTimeout, Consumer<Set<TopicPartition>> onAssigned, WriterFence fence) {
    this.drainTimeout = drainTimeout;
    this.onAssigned = onAssigned;
    this.fence = fence;
  }

  /** A record left the source. */
  synchronized Owned started(TopicPartition partition, CommittableMessage<String, byte[]> message) {
    inFlight.merge(partition, 1, Integer::sum);
    return new Owned(message, partition, epoch.getOrDefault(partition, 0L));
  }

  /**
   * Commits a batch of applied records, except those of partitions that left this consumer since they were consumed:
   * their offsets were committed on revoke, and the next owner may have committed further since, which a stale
   * offset would move back (redelivering what was applied).
   */
  CompletionStage<Done> commitStillOwned(List<Owned> batch) {
    List<CommittableOffset> current;
    synchronized (this) {
      current = batch.stream().filter(owned -> owned.epoch() == epoch.getOrDefault(owned.partition(), 0L))
          .map(owned -> owned.message().committableOffset()).toList();
    }
    // A fenced node commits nothing: its partitions may already be another consumer's (the fence says why, once).
    if (current.isEmpty() || !fence.permits()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return ConsumerMessage.createCommittableOffsetBatch(current).commitJavadsl();
  }

  /** A record was applied; called in offset order per partition (after the order-keeping stage). */
  synchronized void applied(TopicPartition partition, long offset) {
    inFlight.merge(partition, -1, Integer::sum);
    nextOffset.merge(partition, offset + 1, Math::max);
    notifyAll();
  }

  @Override
  public void onRevoke(Set<TopicPartition> revoked, RestrictedConsumer consumer) {
    commit(drained(revoked), consumer);
  }

  @Override
  public void onStop(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
    commit(drained(assigned), consumer);
  }

  @Override
  public void onLost(Set<TopicPartition> lost, RestrictedConsumer consumer) {
    forget(lost);
  }

  @Override
  public void onAssign(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
    onAssigned.accept(assigned);
  }

  private synchronized Map<TopicPartition, OffsetAndMetadata> drained(Set<TopicPartition> partitions) {
    var deadline = System.nanoTime() + drainTimeout.toNanos();
    try {
      while (partitions.stream().anyMatch(p -> inFlight.getOrDefault(p, 0) > 0)) {
        var left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("Records of {} still in flight after {}: they will be redelivered to the next owner",
              partitions, drainTimeout);
          break;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    var offsets = new HashMap<TopicPartition, OffsetAndMetadata>();
    partitions.forEach(p -> {
      var next = nextOffset.get(p);
      if (next != null) {
        offsets.put(p, new OffsetAndMetadata(next));
      }
    });
    forget(partitions);
    return offsets;
  }

  private synchronized void forget(Set<TopicPartition> partitions) {
    partitions.forEach(p -> {
      inFlight.remove(p);
      nextOffset.remove(p);
      epoch.merge(p, 1L, Long::sum);
    });
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, RestrictedConsumer consumer) {
    if (offsets.isEmpty()) {
      return;
    }
    if (!fence.permits()) {
      log.warn("Not committing {} on revoke: this node is fenced", offsets.keySet());
      return;
    }
    try {
      consumer.commitSync(offsets);
      log.info("Committed {} on revoke", offsets);
    } catch (RuntimeException e) {
      log.warn("Commit on revoke of {} failed; those records will be redelivered: {}", offsets.keySet(), e.toString());
    }
  }
}
