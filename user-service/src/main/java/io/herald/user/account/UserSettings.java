package io.herald.user.account;

import com.typesafe.config.Config;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.Retention;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** herald.user.account.* */
public record UserSettings(
    DedupWindow.Bounds dedup, int outboxCapacity, long outboxMaxBytes, int deviceCursors, int mailboxCapacity,
    int knownLimit, long conversationsMaxBytes, RetentionCriteria retention) {

  public static UserSettings fromConfig(Config config) {
    var account = config.getConfig("herald.user.account");
    return new UserSettings(DedupWindow.Bounds.fromConfig(account), account.getInt("outbox-capacity"),
        account.getBytes("outbox-max-bytes"), account.getInt("device-cursors"), account.getInt("mailbox-capacity"), account.getInt("known-devices-and-conversations"),
        account.getBytes("conversations-max-bytes"),
        Retention.fromConfig(config));
  }
}
