package io.herald.user.device;

import com.typesafe.config.Config;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.Retention;
import java.time.Duration;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** herald.user.device.* */
public record DeviceSettings(
    DedupWindow.Bounds dedup, int mailboxCapacity, int telemetryHistory, long stateMaxBytes, Duration presenceTimeout,
    Duration presencePushRetry, RetentionCriteria retention) {

  public static DeviceSettings fromConfig(Config config) {
    var device = config.getConfig("herald.user.device");
    return new DeviceSettings(DedupWindow.Bounds.fromConfig(device), device.getInt("mailbox-capacity"),
        device.getInt("telemetry-history"), device.getBytes("state-max-bytes"), device.getDuration("presence-timeout"),
        device.getDuration("presence-push-retry"), Retention.fromConfig(config));
  }
}
