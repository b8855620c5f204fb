package io.herald.search.telemetry;

import com.datastax.oss.driver.api.core.cql.Row;
import io.herald.persistence.ReadSideTables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
 * The roll-up tables ({@link ReadSideTables}) over the projections' Cassandra session. At most {@code parallelism}
 * statements of one call are in flight at once. Every stage it returns is completed on {@code dispatcher} (the
 * session's stages are converted Scala futures: never continued without an executor).
 */
final class TelemetryStore {

  private final ActorSystem<?> system;
  private final CassandraSession session;
  private final Executor dispatcher;
  private final int parallelism;
  private final String rollups;
  private final String devices;

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

  /** The rows that exist of these. */
  CompletionStage<Map<Rollup.Key, Rollup>> read(Collection<Rollup.Key> keys) {
    return Source.from(List.copyOf(keys))
        .mapAsync(parallelism, key -> session.selectOne("SELECT count, min, max, sum, applied_seq_nr FROM " + rollups
                + " WHERE device_id = ? AND key = ? AND bucket_ms = ? AND partition_start_ms = ? AND bucket_start_ms = ?",
                key.deviceId(), key.readingKey(), key.size().millis(), key.partitionStartMs(), key.bucketStartMs())
            .thenApplyAsync(row -> row.map(found -> rollup(key, found)), dispatcher))
        .runWith(Sink.seq(), system)
        .thenApplyAsync(found -> {
          var rows = new HashMap<Rollup.Key, Rollup>();
          found.forEach(row -> row.ifPresent(rollup -> rows.put(rollup.key(), rollup)));
          return rows;
        }, dispatcher);
  }

  /** Writes each row whole (one statement each: atomic), and each owner's device. */
  CompletionStage<Done> write(List<Rollup> rows, Map<String, String> ownerByDevice) {
    var writes = new ArrayList<Supplier<CompletionStage<Done>>>();
    ownerByDevice.forEach((deviceId, ownerUserId) -> writes.add(() -> session.executeWrite(
        "INSERT INTO " + devices + " (owner_user_id, device_id) VALUES (?, ?)", ownerUserId, deviceId)));
    rows.forEach(row -> writes.add(() -> session.executeWrite("INSERT INTO " + rollups
            + " (device_id, key, bucket_ms, partition_start_ms, bucket_start_ms, count, min, max, sum, applied_seq_nr)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.key().deviceId(), row.key().readingKey(), row.key().size().millis(), row.key().partitionStartMs(),
        row.key().bucketStartMs(), row.count(), row.min(), row.max(), row.sum(), row.appliedSeqNr())));
    return Source.from(writes)
        .mapAsyncUnordered(parallelism, Supplier::get)
        .runWith(Sink.ignore(), system)
        .thenApplyAsync(done -> done, dispatcher);
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
    var partitions = new ArrayList<Long>();
    for (long partition = size.partitionStart(fromMs); partition < toMs; partition += size.partitionSpanMs()) {
      partitions.add(partition);
    }
    return Source.from(partitions)
        .mapAsync(parallelism, partition -> session.selectAll("SELECT bucket_start_ms, count, min, max, sum, "
                + "applied_seq_nr FROM " + rollups + " WHERE device_id = ? AND key = ? AND bucket_ms = ? "
                + "AND partition_start_ms = ? AND bucket_start_ms >= ? AND bucket_start_ms < ?",
                deviceId, readingKey, size.millis(), partition, fromMs, toMs)
            .thenApplyAsync(found -> found.stream().map(row -> rollup(new Rollup.Key(deviceId, readingKey, size,
                row.getLong("bucket_start_ms")), row)).toList(), dispatcher))
        .runWith(Sink.seq(), system)
        .thenApplyAsync(pages -> pages.stream().flatMap(List::stream).toList(), dispatcher);
  }

  private static Rollup rollup(Rollup.Key key, Row row) {
    return new Rollup(key, row.getLong("count"), row.getDouble("min"), row.getDouble("max"), row.getDouble("sum"),
        row.getLong("applied_seq_nr"));
  }
}
