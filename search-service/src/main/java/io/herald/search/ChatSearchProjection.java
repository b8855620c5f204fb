package io.herald.search;

import com.google.protobuf.Message;
import io.herald.infra.solr.SolrHttpClient;
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
 * The chat search projection: one instance per chat tag slice, run by a sharded daemon process on the nodes with the
 * projection role (moved to another when a node leaves). Each reads its tag from the Cassandra journal
 * ({@code eventsByTag}), at least once: the offset (in Cassandra's {@code offset_store}) is saved after Solr took the
 * batch, and a replay from an older offset is skipped by {@link ChatDocuments}.
 */
final class ChatSearchProjection {

  static final String NAME = "chat-search";

  private ChatSearchProjection() {}

  static void init(ActorSystem<?> system, SearchSettings settings, TagSlices slices, SolrHttpClient solr,
      SolrCollection collection, Executor solrDispatcher, ProjectionProgress progress) {
    var tags = slices.tags();
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, tags.size(),
        slice -> ProjectionBehavior.create(projection(system, settings, tags.get(slice), solr, collection,
            solrDispatcher, progress)),
        ShardedDaemonProcessSettings.create(system).withRole(settings.projectionRole()),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<Message>> projection(ActorSystem<?> system,
      SearchSettings settings, String tag, SolrHttpClient solr, SolrCollection collection, Executor solrDispatcher,
      ProjectionProgress progress) {
    SourceProvider<Offset, EventEnvelope<Message>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.groupedWithin(ProjectionId.of(NAME, tag), source,
            () -> new ChatIndexer(tag, solr, collection, solrDispatcher, progress))
        .withGroup(settings.groupAfterEvents(), settings.groupAfter())
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
  }
}
