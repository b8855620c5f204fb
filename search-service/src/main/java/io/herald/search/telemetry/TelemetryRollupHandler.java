package io.herald.search.telemetry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Message;
import io.herald.protocol.events.v1.DesiredStateChanged;
import io.herald.protocol.events.v1.PresenceChanged;
import io.herald.protocol.events.v1.ReportedStateChanged;
import io.herald.protocol.events.v1.TelemetryRecorded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * The roll-up projection's handler: one group of a device slice's events becomes the reads of the rows its telemetry
 * touches, the merge ({@link TelemetryRollups}: exact under replay) and the writes of the changed rows, with each
 * device's owner ({@code telemetry_devices}: who may read them). The stage it returns completes on the dispatcher.
 *
 * <p>The rows it has read or written stay in memory (at most {@code cachedRowBytes}, estimated), so that a group
 * reads only rows it has not seen: this instance is their only writer (one instance per tag, and a new handler on
 * every start of the projection), so what it wrote last is what Cassandra holds. Reading every touched row again
 * for every group cost Cassandra as many reads as writes (docs/benchmarks.md, "The read side's cost"). A group whose
 * writes failed forgets them all: the projection restarts from its saved offset and reads them again.
 */
final class TelemetryRollupHandler extends Handler<List<EventEnvelope<Message>>> {

  /** Owners written by this instance already: a device's owner never changes, so it is written once per run. */
  private static final int KNOWN_OWNERS = 10_000;

  private final TelemetryStore store;
  private final Executor dispatcher;
  private final Cache<Rollup.Key, Rollup> rows;
  private final Cache<String, String> knownOwners;

  TelemetryRollupHandler(TelemetryStore store, Executor dispatcher, long cachedRowBytes) {
    this.store = store;
    this.dispatcher = dispatcher;
    // Maintenance on the caller's thread: nothing on the JDK's common pool.
    this.rows = Caffeine.newBuilder()
        .maximumWeight(cachedRowBytes)
        .weigher((Rollup.Key key, Rollup row) -> estimatedBytes(key))
        .executor(Runnable::run)
        .build();
    this.knownOwners = Caffeine.newBuilder().maximumSize(KNOWN_OWNERS).executor(Runnable::run).build();
  }

  /** A cached row's heap, roughly: the key's two strings (two bytes a char at most), the row, the key and the entry. */
  static int estimatedBytes(Rollup.Key key) {
    return 160 + 2 * (key.deviceId().length() + key.readingKey().length());
  }

  /** A device's id from its persistence id ({@code Device|<id>}). */
  static String deviceId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Message>> envelopes) {
    var recorded = new ArrayList<TelemetryRollups.Recorded>();
    var owners = new LinkedHashMap<String, String>();
    for (var envelope : envelopes) {
      var deviceId = deviceId(envelope.persistenceId());
      var owner = "";
      if (envelope.event() instanceof TelemetryRecorded telemetry) {
        recorded.add(new TelemetryRollups.Recorded(deviceId, envelope.sequenceNr(), telemetry.getReadingsMap(),
            telemetry.getReceivedAtMs()));
        owner = telemetry.getUserId();
      } else if (envelope.event() instanceof ReportedStateChanged changed) {
        owner = changed.getUserId();
      } else if (envelope.event() instanceof DesiredStateChanged changed) {
        owner = changed.getUserId();
      } else if (envelope.event() instanceof PresenceChanged changed) {
        owner = changed.getUserId(); // empty when the presence timeout sent it
      }
      if (!owner.isEmpty() && !owner.equals(knownOwners.getIfPresent(deviceId))) {
        owners.put(deviceId, owner);
      }
    }
    var known = new HashMap<Rollup.Key, Rollup>();
    var unknown = new ArrayList<Rollup.Key>();
    for (var key : TelemetryRollups.keys(recorded)) {
      var row = rows.getIfPresent(key);
      if (row == null) {
        unknown.add(key);
      } else {
        known.put(key, row);
      }
    }
    return store.read(unknown)
        .thenComposeAsync(found -> {
          rows.putAll(found);
          known.putAll(found);
          var merged = TelemetryRollups.merge(recorded, known);
          merged.forEach(row -> rows.put(row.key(), row));
          return store.write(merged, owners);
        }, dispatcher)
        .whenCompleteAsync((done, failure) -> {
          if (failure != null) {
            rows.invalidateAll(); // which of the group's rows were written is not known
          } else {
            knownOwners.putAll(owners);
          }
        }, dispatcher);
  }
}
