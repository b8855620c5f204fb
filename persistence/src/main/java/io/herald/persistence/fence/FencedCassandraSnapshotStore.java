package io.herald.persistence.fence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.cassandra.snapshot.CassandraSnapshotStore;
import org.apache.pekko.dispatch.Futures;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;

/** Pekko Persistence Cassandra's snapshot store, asking the {@link WriterFence} before every save and delete. */
public final class FencedCassandraSnapshotStore extends CassandraSnapshotStore {

  private final WriterFence fence;

  public FencedCassandraSnapshotStore(Config config, String configPath) {
    super(config, configPath);
    this.fence = WriterFence.get(Adapter.toTyped(context().system()));
  }

  @Override
  public Future<BoxedUnit> saveAsync(SnapshotMetadata metadata, Object snapshot) {
    if (!fence.permits()) {
      return Futures.failed(fence.refusal("snapshot of " + metadata.persistenceId()));
    }
    return super.saveAsync(metadata, snapshot);
  }

  @Override
  public Future<BoxedUnit> deleteAsync(SnapshotMetadata metadata) {
    if (!fence.permits()) {
      return Futures.failed(fence.refusal("snapshot delete of " + metadata.persistenceId()));
    }
    return super.deleteAsync(metadata);
  }

  @Override
  public Future<BoxedUnit> deleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    if (!fence.permits()) {
      return Futures.failed(fence.refusal("snapshot delete of " + persistenceId));
    }
    return super.deleteAsync(persistenceId, criteria);
  }
}
