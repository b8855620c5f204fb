package io.herald.user.device;

import io.herald.persistence.TagSlices;
import io.herald.user.device.DeviceEntity.DesiredStateChanged;
import io.herald.user.device.DeviceEntity.Event;
import io.herald.user.device.DeviceEntity.PresenceChanged;
import io.herald.user.device.DeviceEntity.ReportedStateChanged;
import io.herald.user.device.DeviceEntity.TelemetryRecorded;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Which Device events read-side projections follow (docs/design.md "Read side"), each tagged with the device's slice
 * tag ({@link TagSlices#device}): telemetry, for the roll-ups; reported and desired state and presence, for device
 * search. Every Device event today is one of these; an event type added later stays untagged (no tag_views write)
 * until a projection needs it.
 */
final class DeviceTags {

  private final TagSlices slices;

  DeviceTags(TagSlices slices) {
    this.slices = slices;
  }

  static DeviceTags forSystem(ActorSystem<?> system) {
    return new DeviceTags(TagSlices.device(system.settings().config()));
  }

  Set<String> tagsFor(String deviceId, Event event) {
    if (event instanceof TelemetryRecorded || event instanceof ReportedStateChanged
        || event instanceof DesiredStateChanged || event instanceof PresenceChanged) {
      return Set.of(slices.tagFor(deviceId));
    }
    return Set.of();
  }
}
