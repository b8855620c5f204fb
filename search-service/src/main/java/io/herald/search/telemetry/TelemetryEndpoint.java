package io.herald.search.telemetry;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.search.BoundedReads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Telemetry reports (docs/contract.md): {@code GET /v1/devices/{id}/telemetry?key=&from=&to=&bucket=} — one device's
 * roll-ups of one reading key, per bucket, for its owner only (anyone else: 404, as for a device that does not
 * exist) — and {@code GET /v1/telemetry?key=&from=&to=&bucket=}: the same over all the caller's devices, bucket by
 * bucket. Bad parameters: 400 with {@code {"error": ...}}; Cassandra failing, or too many reports at once on this
 * node: 503 with Retry-After.
 */
final class TelemetryEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON-safe largest integer: no time Herald stamps is above it. */
  static final long MAX_TIME_MS = (1L << 53) - 1;

  private final ActorSystem<?> system;
  private final TelemetryStore store;
  private final TelemetrySettings settings;
  private final Executor dispatcher;
  private final BoundedReads reads;

  TelemetryEndpoint(ActorSystem<?> system, TelemetryStore store, TelemetrySettings settings, Executor dispatcher) {
    this.system = system;
    this.store = store;
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.reads = new BoundedReads("telemetry reports", settings.query().maxInFlight(), settings.query().retryAfter(),
        dispatcher);
  }

  /** A valid report request: buckets with a start in {@code [fromMs, toMs)}, {@code fromMs} at a bucket's start. */
  record Query(String key, BucketSize size, long fromMs, long toMs) {}

  Route route(Function<Function<String, Route>, Route> authenticated) {
    return get(() -> concat(
        path(segment("v1").slash("devices").slash(segment()).slash("telemetry"), deviceId ->
            authenticated.apply(userId -> parameterMap(params ->
                answer(params, query -> device(userId, deviceId, query))))),
        path(segment("v1").slash("telemetry"), () ->
            authenticated.apply(userId -> parameterMap(params -> answer(params, query -> allDevices(userId, query)))))));
  }

  private Route answer(Map<String, String> params, Function<Query, CompletionStage<HttpResponse>> report) {
    return reads.answer(() -> parse(params, settings.query()), report);
  }

  /** Validates the parameters; the message says which one is wrong and what is allowed. */
  static Query parse(Map<String, String> params, TelemetrySettings.QueryLimits limits) {
    var key = params.getOrDefault("key", "");
    if (key.isEmpty() || key.length() > limits.maxKeyLength()) {
      throw new IllegalArgumentException("key must hold 1 to " + limits.maxKeyLength() + " characters");
    }
    var size = BucketSize.of(params.getOrDefault("bucket", ""))
        .orElseThrow(() -> new IllegalArgumentException("bucket must be 1m, 1h or 1d"));
    long from = time(params, "from");
    long to = time(params, "to");
    if (from >= to) {
      throw new IllegalArgumentException("from must be before to");
    }
    long start = size.bucketStart(from);
    long buckets = (to - start + size.millis() - 1) / size.millis();
    if (buckets > limits.maxBuckets()) {
      throw new IllegalArgumentException("from .. to spans " + buckets + " buckets of " + size.apiName()
          + ", more than " + limits.maxBuckets() + ": ask for a shorter range or a larger bucket");
    }
    return new Query(key, size, start, to);
  }

  private static long time(Map<String, String> params, String name) {
    try {
      long value = Long.parseLong(params.getOrDefault(name, ""));
      if (value >= 0 && value <= MAX_TIME_MS) {
        return value;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " must be epoch milliseconds from 0 to " + MAX_TIME_MS);
  }

  private CompletionStage<HttpResponse> device(String userId, String deviceId, Query query) {
    return store.owns(userId, deviceId).thenComposeAsync(owns -> {
      if (!owns) {
        // The gateway's shadow read answers the same for a device that is not known or not the caller's.
        return CompletableFuture.completedFuture(BoundedReads.error(StatusCodes.NOT_FOUND,
            "device " + deviceId + " is not known or not yours"));
      }
      return store.range(deviceId, query.key(), query.size(), query.fromMs(), query.toMs())
          .thenApplyAsync(rows -> {
            var body = report(query, rows);
            body.put("device_id", deviceId);
            return BoundedReads.ok(body);
          }, dispatcher);
    }, dispatcher);
  }

  private CompletionStage<HttpResponse> allDevices(String userId, Query query) {
    int maxDevices = settings.query().maxDevices();
    return store.devicesOf(userId, maxDevices + 1).thenComposeAsync(devices -> {
      var read = devices.subList(0, Math.min(devices.size(), maxDevices));
      return Source.from(read)
          .mapAsync(settings.cassandraParallelism(), deviceId ->
              store.range(deviceId, query.key(), query.size(), query.fromMs(), query.toMs()))
          .runWith(Sink.seq(), system)
          .thenApplyAsync(perDevice -> {
            var body = report(query, combined(perDevice));
            body.put("devices", read.size());
            // More devices than one report reads: the totals are of the first max-devices by id, and say so.
            body.put("truncated", devices.size() > maxDevices);
            return BoundedReads.ok(body);
          }, dispatcher);
    }, dispatcher);
  }

  /** Each bucket's rows of several devices as one row per bucket. */
  static List<Rollup> combined(Collection<List<Rollup>> perDevice) {
    var byStart = new TreeMap<Long, Rollup>();
    perDevice.forEach(rows -> rows.forEach(row ->
        byStart.merge(row.key().bucketStartMs(), row, Rollup::combine)));
    return new ArrayList<>(byStart.values());
  }

  static ObjectNode report(Query query, List<Rollup> rows) {
    var body = JSON.createObjectNode();
    body.put("key", query.key());
    body.put("bucket", query.size().apiName());
    body.put("from", query.fromMs());
    body.put("to", query.toMs());
    var buckets = body.putArray("buckets");
    for (var row : rows) {
      buckets.addObject()
          .put("start_ms", row.key().bucketStartMs())
          .put("count", row.count())
          .put("min", row.min())
          .put("max", row.max())
          .put("sum", row.sum())
          .put("mean", row.sum() / row.count());
    }
    return body;
  }
}
