package io.herald.search;

import com.google.protobuf.Message;
import com.typesafe.config.Config;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.persistence.TagSlices;
import java.time.Duration;
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
 * The device search projection: one instance per device tag slice, run like chat search's (a sharded daemon process
 * on the nodes with the search projection role, {@code eventsByTag}, offsets in Cassandra saved after Solr took the
 * batch), writing one document per device ({@link DeviceDocuments}: exact under replay).
 */
final class DeviceSearchProjection {

  static final String NAME = "device-search";

  private DeviceSearchProjection() {}

  /** @param grouping herald.search.devices.projection: {@code group-after-events} and {@code group-after} */
  static void init(ActorSystem<?> system, SearchSettings settings, Config grouping, TagSlices slices,
      SolrHttpClient solr, SolrCollection collection, Executor solrDispatcher) {
    var tags = slices.tags();
    int groupAfterEvents = grouping.getInt("group-after-events");
    var groupAfter = grouping.getDuration("group-after");
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, tags.size(),
        slice -> ProjectionBehavior.create(projection(system, settings, groupAfterEvents, groupAfter, tags.get(slice),
            solr, collection, solrDispatcher)),
        ShardedDaemonProcessSettings.create(system).withRole(settings.projectionRole()),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<Message>> projection(ActorSystem<?> system,
      SearchSettings settings, int groupAfterEvents, Duration groupAfter, String tag, SolrHttpClient solr,
      SolrCollection collection, Executor solrDispatcher) {
    SourceProvider<Offset, EventEnvelope<Message>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.groupedWithin(ProjectionId.of(NAME, tag), source,
            () -> new DeviceIndexer(solr, collection, solrDispatcher))
        .withGroup(groupAfterEvents, groupAfter)
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
  }
}
