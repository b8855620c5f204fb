package io.herald.user.device;

import com.typesafe.config.Config;
import io.herald.persistence.Retention;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** herald.user.device.* */
public record DeviceSettings(int dedupWindow, int mailboxCapacity, RetentionCriteria retention) {

  public static DeviceSettings fromConfig(Config config) {
    var device = config.getConfig("herald.user.device");
    return new DeviceSettings(device.getInt("dedup-window"), device.getInt("mailbox-capacity"), Retention.fromConfig(config));
  }
}
