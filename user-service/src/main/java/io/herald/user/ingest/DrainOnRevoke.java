package io.herald.user.ingest;

import io.herald.persistence.fence.WriterFence;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * The offsets of one consumer: which records of each partition are in flight, what may be committed, and a rebalance
 * without redelivery.
 *
 * <p>Records are applied out of offset order (one user's record that waits holds back only that user), so the offset
 * a partition may commit is the one just before its lowest record still in flight: everything below it was applied.
 * Only records in flight are kept, each with the committable offset of the record consumed before it in its
 * partition, so memory is bounded by the records in flight, however far a waiting record holds the commit back.
 *
 * <p>Before a partition goes to another node, its records in flight are given up to {@code drainTimeout} to be
 * applied, and the offset just below the lowest one left (or after the last one, if none is left) is committed, so the
 * new owner starts exactly there. (What does not drain in time is redelivered and deduplicated by the entities.)
 *
 * <p>Every partition has an epoch, bumped whenever it leaves this consumer; a record carries the epoch of its
 * consumption, and one of an older epoch changes nothing when it completes and is never committed: its partition's
 * offsets were committed on revoke, and the next owner may have committed further since.
 *
 * <p>Kafka calls the handler on its poll thread while the stream applies records on others; the offsets meet in this
 * one monitor, the only state shared between those threads.
 */
final class DrainOnRevoke implements PartitionAssignmentHandler {

  private static final Logger log = LoggerFactory.getLogger(DrainOnRevoke.class);

  private final Duration drainTimeout;
  private final WriterFence fence;
  private final Consumer<Set<TopicPartition>> onAssigned;
  private final Map<TopicPartition, Lane> lanes = new HashMap<>();
  private final Map<TopicPartition, Long> epoch = new HashMap<>();

  /** A record, the epoch of its partition when it was consumed, and the record consumed before it there. */
  record Owned(CommittableMessage<String, byte[]> message, TopicPartition partition, long epoch,
      CommittableOffset predecessor) {

    long offset() {
      return message.record().offset();
    }
  }

  /** The offset a partition may commit: every record up to and including it was applied. */
  record CommitPoint(TopicPartition partition, long epoch, CommittableOffset offset) {}

  /** One partition in the current epoch. */
  private static final class Lane {
    final TreeMap<Long, Owned> inFlight = new TreeMap<>();
    CommittableOffset lastConsumed;
    long lastReported = -1;

    /** The applied record with the highest offset below every record in flight, if there is one. */
    CommittableOffset committable() {
      return inFlight.isEmpty() ? lastConsumed : inFlight.firstEntry().getValue().predecessor();
    }
  }

  DrainOnRevoke(Duration drainTimeout, Consumer<Set<TopicPartition>> onAssigned, WriterFence fence) {
    this.drainTimeout = drainTimeout;
    this.onAssigned = onAssigned;
    this.fence = fence;
  }

  /** A record left the source (in offset order per partition). */
  synchronized Owned started(TopicPartition partition, CommittableMessage<String, byte[]> message) {
    var lane = lanes.computeIfAbsent(partition, p -> new Lane());
    var owned = new Owned(message, partition, epoch.getOrDefault(partition, 0L), lane.lastConsumed);
    lane.inFlight.put(owned.offset(), owned);
    lane.lastConsumed = message.committableOffset();
    return owned;
  }

  /**
   * A record was applied, in any order. Returns the partition's new commit point if it moved; nothing for a record of
   * an older epoch.
   */
  synchronized Optional<CommitPoint> applied(Owned owned) {
    var current = epoch.getOrDefault(owned.partition(), 0L);
    var lane = lanes.get(owned.partition());
    if (owned.epoch() != current || lane == null || lane.inFlight.remove(owned.offset()) == null) {
      return Optional.empty();
    }
    notifyAll();
    var committable = lane.committable();
    if (committable == null || committable.partitionOffset().offset() <= lane.lastReported) {
      return Optional.empty();
    }
    lane.lastReported = committable.partitionOffset().offset();
    return Optional.of(new CommitPoint(owned.partition(), current, committable));
  }

  /**
   * Commits the latest point of each partition in the batch (points come in increasing order per partition), except
   * those of partitions that left this consumer since.
   */
  CompletionStage<Done> commitStillOwned(List<CommitPoint> batch) {
    var latest = new HashMap<TopicPartition, CommittableOffset>();
    synchronized (this) {
      batch.stream().filter(point -> point.epoch() == epoch.getOrDefault(point.partition(), 0L))
          .forEach(point -> latest.put(point.partition(), point.offset()));
    }
    // A fenced node commits nothing: its partitions may already be another consumer's (the fence says why, once).
    if (latest.isEmpty() || !fence.permits()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return ConsumerMessage.createCommittableOffsetBatch(List.copyOf(latest.values())).commitJavadsl();
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

  /** The offsets to commit for these partitions once their records in flight were given time to be applied. */
  synchronized Map<TopicPartition, OffsetAndMetadata> drained(Set<TopicPartition> partitions) {
    var deadline = System.nanoTime() + drainTimeout.toNanos();
    try {
      while (partitions.stream().anyMatch(p -> lanes.containsKey(p) && !lanes.get(p).inFlight.isEmpty())) {
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
      var lane = lanes.get(p);
      var committable = lane == null ? null : lane.committable();
      if (committable != null) {
        offsets.put(p, new OffsetAndMetadata(committable.partitionOffset().offset() + 1));
      }
    });
    forget(partitions);
    return offsets;
  }

  private synchronized void forget(Set<TopicPartition> partitions) {
    partitions.forEach(p -> {
      lanes.remove(p);
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
