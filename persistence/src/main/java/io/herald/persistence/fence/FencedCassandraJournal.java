package io.herald.persistence.fence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.cassandra.journal.CassandraJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.Seq;
import org.apache.pekko.dispatch.Futures;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * Pekko Persistence Cassandra's journal, asking the {@link WriterFence} before every write and delete: the single
 * place every entity's (and sharding's remember-entities) events pass on their way to Cassandra.
 */
public final class FencedCassandraJournal extends CassandraJournal {

  private static final Logger log = LoggerFactory.getLogger(FencedCassandraJournal.class);

  private final WriterFence fence;

  public FencedCassandraJournal(Config config, String configPath) {
    super(config, configPath);
    this.fence = WriterFence.get(Adapter.toTyped(context().system()));
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    if (!fence.permits()) {
      var refusal = fence.refusal("journal write of " + messages.size() + " events of " + messages.head().persistenceId());
      log.warn("Journal write refused: {}", refusal.getMessage());
      return Futures.failed(refusal);
    }
    return super.asyncWriteMessages(messages);
  }

  @Override
  public Future<BoxedUnit> asyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    if (!fence.permits()) {
      return Futures.failed(fence.refusal("journal delete of " + persistenceId));
    }
    return super.asyncDeleteMessagesTo(persistenceId, toSequenceNr);
  }
}
