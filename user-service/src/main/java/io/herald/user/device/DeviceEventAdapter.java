package io.herald.user.device;

import io.herald.user.device.DeviceEntity.Event;
import io.herald.user.device.DeviceEntity.TelemetryRecorded;
import java.util.Map;
import org.apache.pekko.persistence.typed.EventSeq;
import org.apache.pekko.persistence.typed.EventAdapter;

/** Journal form of Device events: the Protobuf messages of herald.events.v1. */
final class DeviceEventAdapter extends EventAdapter<Event, com.google.protobuf.Message> {

  @Override
  public com.google.protobuf.Message toJournal(Event event) {
    if (event instanceof TelemetryRecorded recorded) {
      return io.herald.protocol.events.v1.TelemetryRecorded.newBuilder()
          .setMessageId(recorded.messageId())
          .setUserId(recorded.userId())
          .putAllReadings(recorded.readings())
          .setRaw(recorded.raw())
          .setSentAtMs(recorded.sentAtMs())
          .setReceivedAtMs(recorded.receivedAtMs())
          .build();
    }
    if (event instanceof DeviceEntity.ReportedStateChanged changed) {
      return io.herald.protocol.events.v1.ReportedStateChanged.newBuilder().setMessageId(changed.messageId())
          .setUserId(changed.userId()).putAllReported(changed.reported()).setVersion(changed.version())
          .setAtMs(changed.atMs()).build();
    }
    if (event instanceof DeviceEntity.DesiredStateChanged changed) {
      return io.herald.protocol.events.v1.DesiredStateChanged.newBuilder().setMessageId(changed.messageId())
          .setUserId(changed.userId()).putAllDesired(changed.desired()).setVersion(changed.version())
          .setAtMs(changed.atMs()).build();
    }
    if (event instanceof DeviceEntity.PresenceChanged changed) {
      return io.herald.protocol.events.v1.PresenceChanged.newBuilder().setCauseId(changed.causeId())
          .setOnline(changed.online()).setAtMs(changed.atMs()).setUserId(changed.userId()).build();
    }
    throw new IllegalArgumentException("Unknown Device event " + event.getClass().getName());
  }

  @Override
  public String manifest(Event event) {
    return "";
  }

  @Override
  public EventSeq<Event> fromJournal(com.google.protobuf.Message stored, String manifest) {
    if (stored instanceof io.herald.protocol.events.v1.TelemetryRecorded recorded) {
      return EventSeq.single(new TelemetryRecorded(recorded.getMessageId(), recorded.getUserId(),
          Map.copyOf(recorded.getReadingsMap()), recorded.getRaw(), recorded.getSentAtMs(), recorded.getReceivedAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.ReportedStateChanged changed) {
      return EventSeq.single(new DeviceEntity.ReportedStateChanged(changed.getMessageId(), changed.getUserId(),
          Map.copyOf(changed.getReportedMap()), changed.getVersion(), changed.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.DesiredStateChanged changed) {
      return EventSeq.single(new DeviceEntity.DesiredStateChanged(changed.getMessageId(), changed.getUserId(),
          Map.copyOf(changed.getDesiredMap()), changed.getVersion(), changed.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.PresenceChanged changed) {
      return EventSeq.single(new DeviceEntity.PresenceChanged(changed.getCauseId(), changed.getOnline(),
          changed.getAtMs(), changed.getUserId()));
    }
    throw new IllegalArgumentException("Unknown stored Device event " + stored.getDescriptorForType().getFullName());
  }
}
