package io.herald.search;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far each slice of a projection on this node is behind the journal, for operators (docs/operations.md,
 * metrics): Micrometer series in the registry given (the node's /metrics, {@code herald status}) and a summary for
 * the management port. Search being behind says nothing about the write path: nothing here takes part in readiness.
 *
 * <p>A slice's lag is how old, by the journal's write time, the oldest event it has not indexed yet is, as far as the
 * node knows: while its groups fail, now minus the oldest event of the group that failed, growing until it is
 * indexed; once they succeed, the time from the write of the newest event of the last group to its indexing.
 * Unknown (NaN) until the slice has indexed or failed a group since the node started.
 */
final class ProjectionProgress {

  /** One slice's progress; its fields are written by the slice's handler, one group at a time, and read by gauges. */
  private static final class Slice {
    private volatile long newestIndexedEventAtMillis = -1;
    private volatile long indexedAtMillis;
    private volatile long oldestPendingEventAtMillis = -1;
    private volatile String lastFailure = "";
    private final Counter events;
    private final Counter failures;

    private Slice(Counter events, Counter failures) {
      this.events = events;
      this.failures = failures;
    }
  }

  private final String projection;
  private final Clock clock;
  private final Map<String, Slice> slices = new LinkedHashMap<>();

  ProjectionProgress(String projection, List<String> tags, MeterRegistry registry, Clock clock) {
    this.projection = projection;
    this.clock = clock;
    for (var tag : tags) {
      var slice = new Slice(
          Counter.builder("herald.projection.events").description("Events a projection's slice indexed (replays "
              + "skipped included)").tags("projection", projection, "slice", tag).register(registry),
          Counter.builder("herald.projection.failures").description("Groups of events a projection's slice failed "
              + "to index (each restarts the slice from its saved offset)").tags("projection", projection, "slice", tag)
              .register(registry));
      // A registry keeps the first gauge of a name and tags: these read whichever progress of the projection started
      // last in this JVM (a node is one JVM; tests start several nodes in one).
      Gauge.builder("herald.projection.lag", () -> shown(projection).lagSeconds(tag)).baseUnit("seconds")
          .description("How old the oldest event a projection's slice has not indexed yet is (docs/operations.md)")
          .tags("projection", projection, "slice", tag).register(registry);
      Gauge.builder("herald.projection.failing", () -> shown(projection).failing(tag) ? 1 : 0)
          .description("1 while a projection's slice fails to index (Solr down, for one), else 0")
          .tags("projection", projection, "slice", tag).register(registry);
      slices.put(tag, slice);
    }
    SHOWN.put(projection, this);
  }

  private static final Map<String, ProjectionProgress> SHOWN = new ConcurrentHashMap<>();

  private static ProjectionProgress shown(String projection) {
    return SHOWN.get(projection);
  }

  /** The slice indexed a group: {@code events} events, the newest written at that time. */
  void indexed(String tag, int events, long newestEventAtMillis) {
    var slice = slices.get(tag);
    slice.indexedAtMillis = clock.millis();
    slice.newestIndexedEventAtMillis = newestEventAtMillis;
    slice.oldestPendingEventAtMillis = -1;
    slice.events.increment(events);
  }

  /** The slice failed to index a group whose oldest event was written at that time. */
  void failed(String tag, long oldestEventAtMillis, Throwable failure) {
    var slice = slices.get(tag);
    if (slice.oldestPendingEventAtMillis < 0 || oldestEventAtMillis < slice.oldestPendingEventAtMillis) {
      slice.oldestPendingEventAtMillis = oldestEventAtMillis;
    }
    slice.lastFailure = String.valueOf(failure.getMessage());
    slice.failures.increment();
  }

  double lagSeconds(String tag) {
    var slice = slices.get(tag);
    long pending = slice.oldestPendingEventAtMillis;
    if (pending >= 0) {
      return Math.max(0, clock.millis() - pending) / 1000.0;
    }
    long newest = slice.newestIndexedEventAtMillis;
    return newest < 0 ? Double.NaN : Math.max(0, slice.indexedAtMillis - newest) / 1000.0;
  }

  boolean failing(String tag) {
    return slices.get(tag).oldestPendingEventAtMillis >= 0;
  }

  /** Per slice: lag (null while unknown), whether it fails and why, events indexed since the node started. */
  Map<String, Object> summary() {
    var summary = new LinkedHashMap<String, Object>();
    slices.forEach((tag, slice) -> {
      var lag = lagSeconds(tag);
      var state = new LinkedHashMap<String, Object>();
      state.put("lag_seconds", Double.isNaN(lag) ? null : lag);
      state.put("failing", failing(tag));
      if (failing(tag)) {
        state.put("last_failure", slice.lastFailure);
      }
      state.put("events", (long) slice.events.count());
      summary.put(tag, state);
    });
    return Map.of("projection", projection, "slices", summary);
  }
}
