package io.herald.chat.conversation;

import com.typesafe.config.Config;
import java.util.function.BiFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Source;

/**
 * herald.chat.conversation.*, plus how older history pages are read: the journal's events of a persistence id from a
 * sequence number on (in their stored, Protobuf form).
 */
public record ConversationSettings(
    int dedupWindow, int mailboxCapacity, RetentionCriteria retention,
    BiFunction<String, Long, Source<EventEnvelope, NotUsed>> journal) {

  public static ConversationSettings fromConfig(ActorSystem<?> system, Config config) {
    var conversation = config.getConfig("herald.chat.conversation");
    var retention = config.getConfig("herald.persistence.retention");
    var readJournal = PersistenceQuery.get(system).getReadJournalFor(
        CurrentEventsByPersistenceIdQuery.class, conversation.getString("read-journal"));
    // Snapshots speed up recovery, but the events stay: a conversation's journal is its history.
    return new ConversationSettings(conversation.getInt("dedup-window"), conversation.getInt("mailbox-capacity"),
        RetentionCriteria.snapshotEvery(retention.getInt("snapshot-every-events"), retention.getInt("keep-snapshots")),
        (persistenceId, fromSequenceNr) -> readJournal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, Long.MAX_VALUE));
  }
}
