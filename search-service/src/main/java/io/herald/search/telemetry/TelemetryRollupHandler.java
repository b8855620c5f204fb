package io.herald.search.telemetry;

import com.google.protobuf.Message;
import io.herald.protocol.events.v1.DesiredStateChanged;
import io.herald.protocol.events.v1.PresenceChanged;
import io.herald.protocol.events.v1.ReportedStateChanged;
import io.herald.protocol.events.v1.TelemetryRecorded;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * The roll-up projection's handler: one group of a device slice's events becomes the reads of the rows its telemetry
 * touches, the merge ({@link TelemetryRollups}: exact under replay) and the writes of the changed rows, with each
 * device's owner ({@code telemetry_devices}: who may read them). The stage it returns completes on the dispatcher.
 */
final class TelemetryRollupHandler extends Handler<List<EventEnvelope<Message>>> {

  /** Owners written by this instance already: a device's owner never changes, so it is written once per run. */
  private static final int KNOWN_OWNERS = 10_000;

  private final TelemetryStore store;
  private final Executor dispatcher;
  private final Map<String, String> knownOwners = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > KNOWN_OWNERS;
    }
  };

  TelemetryRollupHandler(TelemetryStore store, Executor dispatcher) {
    this.store = store;
    this.dispatcher = dispatcher;
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
      if (!owner.isEmpty() && !owner.equals(known(deviceId))) {
        owners.put(deviceId, owner);
      }
    }
    return store.read(TelemetryRollups.keys(recorded))
        .thenComposeAsync(before -> store.write(TelemetryRollups.merge(recorded, before), owners), dispatcher)
        .thenApplyAsync(done -> {
          synchronized (knownOwners) {
            knownOwners.putAll(owners);
          }
          return done;
        }, dispatcher);
  }

  private String known(String deviceId) {
    synchronized (knownOwners) {
      return knownOwners.get(deviceId);
    }
  }
}
