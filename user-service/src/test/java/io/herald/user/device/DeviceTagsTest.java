package io.herald.user.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.herald.persistence.TagSlices;
import io.herald.user.device.DeviceEntity.DesiredStateChanged;
import io.herald.user.device.DeviceEntity.PresenceChanged;
import io.herald.user.device.DeviceEntity.ReportedStateChanged;
import io.herald.user.device.DeviceEntity.TelemetryRecorded;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Telemetry, shadow and presence events carry their device's slice tag, each device on one slice. */
class DeviceTagsTest {

  private final DeviceTags tags = new DeviceTags(new TagSlices("device", 4));

  @Test
  void readSideEventsCarryTheDevicesSliceTag() {
    var tag = Set.of(new TagSlices("device", 4).tagFor("d1"));
    assertEquals(tag, tags.tagsFor("d1", new TelemetryRecorded("m1", "u", Map.of("t", 1.0), ByteString.EMPTY, 1, 2)));
    assertEquals(tag, tags.tagsFor("d1", new ReportedStateChanged("m2", "u", Map.of("fw", "1.2"), 1, 3)));
    assertEquals(tag, tags.tagsFor("d1", new DesiredStateChanged("m3", "u", Map.of("fw", "1.3"), 2, 4)));
    assertEquals(tag, tags.tagsFor("d1", new PresenceChanged("m4", false, 5, "")));
  }

  @Test
  void devicesSpreadOverEverySliceAndNoOther() {
    var seen = new HashSet<String>();
    for (int i = 0; i < 200; i++) {
      seen.addAll(tags.tagsFor("device-" + i, new PresenceChanged("m", true, 0, "u")));
    }
    assertEquals(Set.of("device-0", "device-1", "device-2", "device-3"), seen);
  }
}
