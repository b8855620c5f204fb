package io.herald.user.device;

import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.DeviceSnapshot;
import io.herald.protocol.events.v1.ShadowSnapshot;
import io.herald.user.device.DeviceEntity.Reading;
import io.herald.user.device.DeviceEntity.State;
import java.util.HashMap;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/** Snapshot form of Device state: herald.events.v1.DeviceSnapshot. */
final class DeviceSnapshotAdapter implements SnapshotAdapter<State> {

  private final DedupWindow.Bounds dedup;

  DeviceSnapshotAdapter(DedupWindow.Bounds dedup) {
    this.dedup = dedup;
  }

  @Override
  public Object toJournal(State state) {
    var snapshot = DeviceSnapshot.newBuilder()
        .setDeviceId(state.deviceId)
        .setOwnerUserId(state.ownerUserId)
        .setTelemetryCount(state.telemetryCount)
        .addAllRecentMessageIds(state.recentMessageIds.toList())
        .addAllRecentMessageIdsAtMs(state.recentMessageIds.appliedAtMs())
        .setShadow(ShadowSnapshot.newBuilder().putAllReported(state.shadow.reported).putAllDesired(state.shadow.desired)
            .setVersion(state.shadow.version).setOnline(state.shadow.online).setLastSeenMs(state.shadow.lastSeenMs));
    state.readings.forEach((key, reading) -> snapshot.putReadings(key, reading.toStats()));
    return snapshot.build();
  }

  @Override
  public State fromJournal(Object from) {
    var snapshot = (DeviceSnapshot) from;
    var readings = new HashMap<String, Reading>();
    snapshot.getReadingsMap().forEach((key, stats) ->
        readings.put(key, Reading.of(stats)));
    var shadow = snapshot.getShadow();
    return new State(snapshot.getDeviceId(), snapshot.getOwnerUserId(), snapshot.getTelemetryCount(), readings,
        DedupWindow.of(dedup, snapshot.getRecentMessageIdsList(), snapshot.getRecentMessageIdsAtMsList()),
        new DeviceEntity.Shadow(new HashMap<>(shadow.getReportedMap()), new HashMap<>(shadow.getDesiredMap()),
            shadow.getVersion(), shadow.getOnline(), shadow.getLastSeenMs()));
  }
}
