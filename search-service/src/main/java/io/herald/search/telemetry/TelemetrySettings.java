package io.herald.search.telemetry;

import com.typesafe.config.Config;
import java.time.Duration;

/** herald.search.telemetry: see search-service's reference.conf. */
record TelemetrySettings(
    boolean enabled, String projectionRole, int groupAfterEvents, Duration groupAfter, Duration restartMinBackoff,
    Duration restartMaxBackoff, long rowCacheBytes, int cassandraParallelism, QueryLimits query) {

  /** herald.search.telemetry.query */
  record QueryLimits(int maxKeyLength, int maxBuckets, int maxDevices, int maxInFlight, Duration retryAfter) {}

  static TelemetrySettings fromConfig(Config config) {
    var telemetry = config.getConfig("herald.search.telemetry");
    var projection = telemetry.getConfig("projection");
    var query = telemetry.getConfig("query");
    var limits = new QueryLimits(query.getInt("max-key-length"), query.getInt("max-buckets"),
        query.getInt("max-devices"), query.getInt("max-in-flight"), query.getDuration("retry-after"));
    var settings = new TelemetrySettings(telemetry.getBoolean("enabled"), projection.getString("role"),
        projection.getInt("group-after-events"), projection.getDuration("group-after"),
        projection.getDuration("restart-min-backoff"), projection.getDuration("restart-max-backoff"),
        projection.getBytes("row-cache"), telemetry.getInt("cassandra-parallelism"), limits);
    if (limits.maxKeyLength() < 1 || limits.maxBuckets() < 1 || limits.maxDevices() < 1 || limits.maxInFlight() < 1
        || settings.cassandraParallelism() < 1 || settings.groupAfterEvents() < 1 || settings.rowCacheBytes() < 0) {
      throw new IllegalArgumentException("herald.search.telemetry: max-key-length, max-buckets, max-devices, "
          + "max-in-flight, cassandra-parallelism and group-after-events at least 1, projection.row-cache at least 0");
    }
    return settings;
  }
}
