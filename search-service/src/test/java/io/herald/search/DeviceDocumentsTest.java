package io.herald.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.protocol.events.v1.DesiredStateChanged;
import io.herald.protocol.events.v1.PresenceChanged;
import io.herald.protocol.events.v1.ReportedStateChanged;
import io.herald.protocol.events.v1.TelemetryRecorded;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One document per device, its state as of the last event applied; a replay never takes it back to an older state. */
class DeviceDocumentsTest {

  private static final String PID = "Device|d1";

  @Test
  void aDevicesEventsMakeItsDocument() {
    var documents = DeviceDocuments.documents(List.of(
        journaled(1, PresenceChanged.newBuilder().setCauseId("c").setOnline(true).setUserId("alice").build()),
        journaled(2, ReportedStateChanged.newBuilder().setUserId("alice").putReported("fw", "1.2.3")
            .putReported("mode", "eco").build()),
        journaled(3, TelemetryRecorded.newBuilder().setUserId("alice").putReadings("t", 1).build()),
        journaled(4, DesiredStateChanged.newBuilder().setUserId("alice").putDesired("fw", "1.3").build()),
        journaled(5, ReportedStateChanged.newBuilder().setUserId("alice").putReported("mode", "").build()),
        journaled(6, PresenceChanged.newBuilder().setCauseId("offline-1").setOnline(false).build())), Map.of());
    assertEquals(List.of(Map.of("id", "d1", "owner", "alice", "online", false, "applied_seq_nr", 6L,
        "reported.fw", "1.2.3", "desired.fw", "1.3")), documents);
  }

  @Test
  void aReplayedEventIsSkippedAndTelemetryWritesNothing() {
    var before = Map.of("d1", DeviceDocuments.Device.of(Map.of("id", "d1", "owner", "alice", "online", true,
        "applied_seq_nr", 5L, "reported.fw", "2.0")));
    // Events 4 and 5 again (the offset was not saved after them), with an older firmware: the document stays.
    var replayed = List.of(
        journaled(4, ReportedStateChanged.newBuilder().setUserId("alice").putReported("fw", "1.0").build()),
        journaled(5, PresenceChanged.newBuilder().setCauseId("offline-1").setOnline(false).build()),
        journaled(6, TelemetryRecorded.newBuilder().setUserId("alice").putReadings("t", 1).build()));
    assertEquals(List.of(), DeviceDocuments.documents(replayed, before));

    var next = List.of(journaled(7, ReportedStateChanged.newBuilder().setUserId("alice").putReported("fw", "2.1")
        .build()));
    assertEquals(List.of(Map.of("id", "d1", "owner", "alice", "online", true, "applied_seq_nr", 7L,
        "reported.fw", "2.1")), DeviceDocuments.documents(next, before));
  }

  private static ChatDocuments.Journaled journaled(long seqNr, com.google.protobuf.Message event) {
    return new ChatDocuments.Journaled(PID, seqNr, event);
  }
}
