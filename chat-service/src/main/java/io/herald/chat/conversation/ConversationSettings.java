package io.herald.chat.conversation;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** herald.chat.conversation.* */
public record ConversationSettings(int dedupWindow, int mailboxCapacity, RetentionCriteria retention) {

  public static ConversationSettings fromConfig(Config config) {
    var conversation = config.getConfig("herald.chat.conversation");
    var retention = config.getConfig("herald.persistence.retention");
    // Snapshots speed up recovery, but the events stay: a conversation's journal is its history.
    return new ConversationSettings(conversation.getInt("dedup-window"), conversation.getInt("mailbox-capacity"),
        RetentionCriteria.snapshotEvery(retention.getInt("snapshot-every-events"), retention.getInt("keep-snapshots")));
  }
}
