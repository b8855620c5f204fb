package io.herald.search.telemetry;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.herald.persistence.ReadSideTables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The roll-up tables ({@link ReadSideTables}) over the projections' Cassandra session, a partition at a time: a
 * range read per partition, a batch per partition's rows. At most {@code parallelism} statements of one call are in
 * flight at once. Every stage it returns is completed on {@code dispatcher} (the
 * session's stages are converted Scala futures: never continued without an executor).
 */
final class TelemetryStore {

  /** Rows of one partition per batch: well under Cassandra's batch size warning (5 KiB) at about 60 bytes a row. */
  static final int BATCH_ROWS = 50;

  private final ActorSystem<?> system;
  private final CassandraSession session;
  private final Executor dispatcher;
  private final int parallelism;
  private final String rollups;
  private final String devices;
  private CompletionStage<PreparedStatement> insertRollup;

  TelemetryStore(ActorSystem<?> system, Executor dispatcher, int parallelism) {
    this.system = system;
    var config = system.settings().config();
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(config.getString("pekko.projection.cassandra.session-config-path"));
    this.dispatcher = dispatcher;
    this.parallelism = parallelism;
    var keyspace = config.getString("herald.persistence.cassandra.keyspace");
    this.rollups = keyspace + "." + ReadSideTables.TELEMETRY_ROLLUPS;
    this.devices = keyspace + "." + ReadSideTables.TELEMETRY_DEVICES;
  }

  /** The rows that exist of these: one range read per partition. */
  CompletionStage<Map<Rollup.Key, Rollup>> read(Collection<Rollup.Key> keys) {
    var byPartition = new LinkedHashMap<Partition, long[]>();
    for (var key : keys) {
      var range = byPartition.computeIfAbsent(Partition.of(key), p -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
      range[0] = Math.min(range[0], key.bucketStartMs());
      range[1] = Math.max(range[1], key.bucketStartMs());
    }
    return Source.from(List.copyOf(byPartition.entrySet()))
        .mapAsync(parallelism, entry -> rows(entry.getKey(), entry.getValue()[0], entry.getValue()[1] + 1))
        .runWith(Sink.seq(), system)
        .thenApplyAsync(found -> {
          var rows = new HashMap<Rollup.Key, Rollup>();
          found.forEach(partition -> partition.forEach(rollup -> rows.put(rollup.key(), rollup)));
          return rows;
        }, dispatcher);
  }

  /**
   * Writes each row whole, the rows of one partition in unlogged batches of at most {@value #BATCH_ROWS} (one
   * partition's batch is applied atomically), and each owner's device.
   */
  CompletionStage<Done> write(List<Rollup> rows, Map<String, String> ownerByDevice) {
    var writes = new ArrayList<Supplier<CompletionStage<Done>>>();
    ownerByDevice.forEach((deviceId, ownerUserId) -> writes.add(() -> session.executeWrite(
        "INSERT INTO " + devices + " (owner_user_id, device_id) VALUES (?, ?)", ownerUserId, deviceId)));
    var byPartition = new LinkedHashMap<Partition, List<Rollup>>();
    rows.forEach(row -> byPartition.computeIfAbsent(Partition.of(row.key()), p -> new ArrayList<>()).add(row));
    for (var partition : byPartition.values()) {
      for (int from = 0; from < partition.size(); from += BATCH_ROWS) {
        var batch = partition.subList(from, Math.min(partition.size(), from + BATCH_ROWS));
        writes.add(() -> insertRollup().thenComposeAsync(insert -> session.executeWriteBatch(
            BatchStatement.newInstance(DefaultBatchType.UNLOGGED, batch.stream().<BatchableStatement<?>>map(row ->
                insert.bind(row.key().deviceId(), row.key().readingKey(), row.key().size().millis(),
                    row.key().partitionStartMs(), row.key().bucketStartMs(), row.count(), row.min(), row.max(),
                    row.sum(), row.appliedSeqNr())).toList())), dispatcher));
      }
    }
    return Source.from(writes)
        .mapAsyncUnordered(parallelism, Supplier::get)
        .runWith(Sink.ignore(), system)
        .thenApplyAsync(done -> done, dispatcher);
  }

  /** Prepared once; a failed preparation is tried again by the next write. */
  private CompletionStage<PreparedStatement> insertRollup() {
    synchronized (this) {
      if (insertRollup == null || insertRollup.toCompletableFuture().isCompletedExceptionally()) {
        insertRollup = session.prepare("INSERT INTO " + rollups + " (device_id, key, bucket_ms, partition_start_ms, "
            + "bucket_start_ms, count, min, max, sum, applied_seq_nr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      }
      return insertRollup;
    }
  }

  /** Whether the user owns the device, as its projected events say. */
  CompletionStage<Boolean> owns(String userId, String deviceId) {
    return session.selectOne("SELECT device_id FROM " + devices + " WHERE owner_user_id = ? AND device_id = ?",
        userId, deviceId).thenApplyAsync(Optional::isPresent, dispatcher);
  }

  /** The user's devices, at most {@code limit}, by id. */
  CompletionStage<List<String>> devicesOf(String userId, int limit) {
    return session.selectAll("SELECT device_id FROM " + devices + " WHERE owner_user_id = ? LIMIT ?", userId, limit)
        .thenApplyAsync(rows -> rows.stream().map(row -> row.getString("device_id")).toList(), dispatcher);
  }

  /** The device's rows of the key and size with a bucket start in {@code [fromMs, toMs)}, by start. */
  CompletionStage<List<Rollup>> range(String deviceId, String readingKey, BucketSize size, long fromMs, long toMs) {
    var partitions = new ArrayList<Partition>();
    for (long start = size.partitionStart(fromMs); start < toMs; start += size.partitionSpanMs()) {
      partitions.add(new Partition(deviceId, readingKey, size, start));
    }
    return Source.from(partitions)
        .mapAsync(parallelism, partition -> rows(partition, fromMs, toMs))
        .runWith(Sink.seq(), system)
        .thenApplyAsync(pages -> pages.stream().flatMap(List::stream).toList(), dispatcher);
  }

  /** The partition's rows with a bucket start in {@code [fromMs, toMs)}, by start. */
  private CompletionStage<List<Rollup>> rows(Partition partition, long fromMs, long toMs) {
    return session.selectAll("SELECT bucket_start_ms, count, min, max, sum, applied_seq_nr FROM " + rollups
            + " WHERE device_id = ? AND key = ? AND bucket_ms = ? AND partition_start_ms = ? AND bucket_start_ms >= ?"
            + " AND bucket_start_ms < ?", partition.deviceId(), partition.readingKey(), partition.size().millis(),
            partition.startMs(), fromMs, toMs)
        .thenApplyAsync(found -> found.stream().map(row -> rollup(new Rollup.Key(partition.deviceId(),
            partition.readingKey(), partition.size(), row.getLong("bucket_start_ms")), row)).toList(), dispatcher);
  }

  /** One partition of telemetry_rollups. */
  private record Partition(String deviceId, String readingKey, BucketSize size, long startMs) {
    static Partition of(Rollup.Key key) {
      return new Partition(key.deviceId(), key.readingKey(), key.size(), key.partitionStartMs());
    }
  }

  private static Rollup rollup(Rollup.Key key, Row row) {
    return new Rollup(key, row.getLong("count"), row.getDouble("min"), row.getDouble("max"), row.getDouble("sum"),
        row.getLong("applied_seq_nr"));
  }
}
