package io.herald.chat.conversation;

import com.typesafe.config.Config;
import io.herald.chat.conversation.FanOut.FanOutSettings;
import io.herald.persistence.DedupWindow;
import java.time.Duration;
import java.util.function.BiFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Source;

/**
 * herald.chat.conversation.*, plus how older messages are read (the journal's events of a persistence id from a
 * sequence number on, in their stored Protobuf form).
 */
public record ConversationSettings(
    DedupWindow.Bounds dedup, long recentMessagesMaxBytes, long historyPageMaxBytes, int mailboxCapacity,
    Duration idleTimeout, int maxMembers, RetentionCriteria retention, FanOutSettings fanOut, ParkedSettings parked,
    BiFunction<String, Long, Source<EventEnvelope, NotUsed>> journal) {

  /** herald.chat.conversation.parked */
  public record ParkedSettings(int capacity, long maxBytes, Duration timeout, Duration retryAfter) {}


  public static ConversationSettings fromConfig(ActorSystem<?> system, Config config) {
    var conversation = config.getConfig("herald.chat.conversation");
    var fanOut = conversation.getConfig("fan-out");
    var retention = config.getConfig("herald.persistence.retention");
    var readJournal = PersistenceQuery.get(system).getReadJournalFor(
        CurrentEventsByPersistenceIdQuery.class, conversation.getString("read-journal"));
    // Snapshots speed up recovery, but the events stay: a conversation's journal is its history.
    return new ConversationSettings(DedupWindow.Bounds.fromConfig(conversation),
        conversation.getBytes("recent-messages-max-bytes"), conversation.getBytes("history-page-max-bytes"),
        conversation.getInt("mailbox-capacity"),
        conversation.getDuration("idle-timeout"), conversation.getInt("max-members"),
        RetentionCriteria.snapshotEvery(retention.getInt("snapshot-every-events"), retention.getInt("keep-snapshots")),
        new FanOutSettings(fanOut.getInt("parallelism"), fanOut.getInt("page-size"), fanOut.getInt("batch-messages"),
            fanOut.getBytes("batch-bytes"), fanOut.getInt("progress-every"),
            fanOut.getInt("retry.max-attempts"), fanOut.getDuration("retry.min-backoff"),
            fanOut.getDuration("retry.max-backoff"), fanOut.getDuration("ask-timeout")),
        new ParkedSettings(conversation.getInt("parked.capacity"), conversation.getBytes("parked.max-bytes"),
            conversation.getDuration("parked.timeout"),
            conversation.getDuration("parked.retry-after")),
        (persistenceId, fromSequenceNr) -> readJournal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, Long.MAX_VALUE));
  }
}
