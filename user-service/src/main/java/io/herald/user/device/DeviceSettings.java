package io.herald.user.device;

import com.typesafe.config.Config;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.Retention;
import io.herald.protocol.cluster.v1.PushIntent;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * herald.user.device.*, plus how an offline device_update reaches the owner's outbox: presence expiry happens
 * outside the ingest pipeline, so the entity hands that push to {@code offlineNotifier}.
 */
public record DeviceSettings(
    DedupWindow.Bounds dedup, int mailboxCapacity, int telemetryHistory, long stateMaxBytes, Duration presenceTimeout,
    RetentionCriteria retention, Consumer<PushIntent> offlineNotifier) {

  public static DeviceSettings fromConfig(Config config, Consumer<PushIntent> offlineNotifier) {
    var device = config.getConfig("herald.user.device");
    return new DeviceSettings(DedupWindow.Bounds.fromConfig(device), device.getInt("mailbox-capacity"),
        device.getInt("telemetry-history"), device.getBytes("state-max-bytes"), device.getDuration("presence-timeout"), Retention.fromConfig(config), offlineNotifier);
  }
}
