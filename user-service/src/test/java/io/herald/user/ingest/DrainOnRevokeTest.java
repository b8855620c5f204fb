package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffset;
import org.apache.pekko.kafka.ConsumerMessage.GroupTopicPartition;
import org.apache.pekko.kafka.ConsumerMessage.PartitionOffset;
import org.junit.jupiter.api.Test;
import scala.concurrent.Future;

/**
 * The consumer's offset bookkeeping with records completing out of offset order: a partition commits just below its
 * lowest record in flight, and a record of a partition that left (an older epoch) changes nothing.
 */
class DrainOnRevokeTest {

  private static final TopicPartition P = new TopicPartition("herald.ingress", 3);
  private static final TopicPartition Q = new TopicPartition("herald.ingress", 4);

  private final DrainOnRevoke ledger = new DrainOnRevoke(Duration.ofMillis(50), assigned -> {}, null);

  @Test
  void aPartitionCommitsJustBelowItsLowestRecordInFlight() {
    var r10 = ledger.started(P, message(P, 10));
    var r11 = ledger.started(P, message(P, 11));
    var r12 = ledger.started(P, message(P, 12));
    var q5 = ledger.started(Q, message(Q, 5));

    assertEquals(Optional.empty(), committed(ledger.applied(r12)), "10 and 11 are still in flight");
    assertEquals(Optional.of(5L), committed(ledger.applied(q5)), "another partition is not held back");
    assertEquals(Optional.of(10L), committed(ledger.applied(r10)));
    assertEquals(Optional.of(12L), committed(ledger.applied(r11)), "11 was the last one in flight");

    var r13 = ledger.started(P, message(P, 13));
    var r14 = ledger.started(P, message(P, 14));
    assertEquals(Optional.empty(), committed(ledger.applied(r14)));
    assertEquals(Optional.of(14L), committed(ledger.applied(r13)));
  }

  @Test
  void aWaitingRecordHoldsBackItsPartitionsCommitButNotTheRecordsBehindIt() {
    var waiting = ledger.started(P, message(P, 0));
    for (long offset = 1; offset <= 1_000; offset++) {
      assertEquals(Optional.empty(), committed(ledger.applied(ledger.started(P, message(P, offset)))));
    }
    assertEquals(Optional.of(1_000L), committed(ledger.applied(waiting)), "once it is applied, all of them are");
  }

  @Test
  void aRevokeCommitsBelowTheLowestRecordLeftAndRecordsOfThatEpochChangeNothingAfterwards() {
    var r20 = ledger.started(P, message(P, 20));
    var r21 = ledger.started(P, message(P, 21));
    var r22 = ledger.started(P, message(P, 22));
    ledger.applied(r20);
    ledger.applied(r22);

    // 21 does not finish within the drain timeout: the next owner starts at 21 (22 is redelivered, deduplicated).
    assertEquals(Map.of(P, new OffsetAndMetadata(21)), ledger.drained(Set.of(P)));

    // The partition comes back (a newer epoch) from its committed offset; the old 21 completes late.
    var again21 = ledger.started(P, message(P, 21));
    assertEquals(Optional.empty(), ledger.applied(r21), "a record of an older epoch changes nothing");
    assertEquals(Map.of(), ledger.drained(Set.of()), "nothing for partitions not asked");
    var again22 = ledger.started(P, message(P, 22));
    var point = ledger.applied(again21).orElseThrow();
    assertEquals(21L, point.offset().partitionOffset().offset());
    assertEquals(1L, point.epoch());
    ledger.applied(again22);
    assertEquals(Map.of(P, new OffsetAndMetadata(23)), ledger.drained(Set.of(P)), "all applied: after the last");
  }

  @Test
  void aRevokeWaitsForTheRecordsInFlightToBeApplied() throws Exception {
    var slowLedger = new DrainOnRevoke(Duration.ofSeconds(30), assigned -> {}, null);
    var r7 = slowLedger.started(P, message(P, 7));
    var r8 = slowLedger.started(P, message(P, 8));
    slowLedger.applied(r8);
    CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> slowLedger.applied(r7));
    // Had the drain not waited for 7, nothing could be committed (no record below 7 was consumed here).
    assertEquals(Map.of(P, new OffsetAndMetadata(9)), slowLedger.drained(Set.of(P)));
  }

  private static Optional<Long> committed(Optional<DrainOnRevoke.CommitPoint> point) {
    return point.map(p -> p.offset().partitionOffset().offset());
  }

  private static CommittableMessage<String, byte[]> message(TopicPartition partition, long offset) {
    var record = new ConsumerRecord<String, byte[]>(partition.topic(), partition.partition(), offset, "user", new byte[0]);
    return new CommittableMessage<>(record, new Offset(new PartitionOffset(
        new GroupTopicPartition("herald-users", partition.topic(), partition.partition()), offset)));
  }

  /** An offset that is never committed here: the tests look at which one would be. */
  private record Offset(PartitionOffset partitionOffset) implements CommittableOffset {
    @Override
    public Future<Done> commitScaladsl() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Done> commitJavadsl() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Done> commitInternal() {
      throw new UnsupportedOperationException();
    }

    @Override
    public long batchSize() {
      return 1;
    }
  }
}
