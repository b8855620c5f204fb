package io.herald.search.telemetry;

import com.google.protobuf.Message;
import io.herald.persistence.TagSlices;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * The telemetry roll-up projection: one instance per device tag slice, run by a sharded daemon process on the nodes
 * with its role. Each reads its tag from the Cassandra journal ({@code eventsByTag}), at least once: the offset is
 * saved after the group's rows were written, and a replay from an older offset is skipped row by row
 * ({@link TelemetryRollups}). One instance per tag, so each device's rows have one writer.
 */
final class TelemetryProjection {

  static final String NAME = "telemetry-rollups";

  private TelemetryProjection() {}

  static void init(ActorSystem<?> system, TelemetrySettings settings, TagSlices slices, TelemetryStore store,
      Executor dispatcher) {
    var tags = slices.tags();
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, tags.size(),
        slice -> ProjectionBehavior.create(projection(system, settings, tags.get(slice), store, dispatcher)),
        ShardedDaemonProcessSettings.create(system).withRole(settings.projectionRole()),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<Message>> projection(ActorSystem<?> system,
      TelemetrySettings settings, String tag, TelemetryStore store, Executor dispatcher) {
    SourceProvider<Offset, EventEnvelope<Message>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.groupedWithin(ProjectionId.of(NAME, tag), source,
            () -> new TelemetryRollupHandler(store, dispatcher, settings.rowCacheBytes()))
        .withGroup(settings.groupAfterEvents(), settings.groupAfter())
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
  }
}
