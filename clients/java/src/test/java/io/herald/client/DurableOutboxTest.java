package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableOutboxTest {

  @TempDir Path directory;

  @Test
  void aReopenedOutboxHoldsTheUnacknowledgedFramesInOrderAndTheLastPushSeq() throws Exception {
    try (var outbox = DurableOutbox.open(directory, false)) {
      outbox.add(frame("a"));
      outbox.add(frame("b"));
      outbox.add(frame("c"));
      outbox.done("b");
      outbox.pushSeen(7);
      outbox.pushSeen(5); // lower: ignored
    }
    try (var reopened = DurableOutbox.open(directory, false)) {
      assertEquals(List.of("a", "c"), ids(reopened));
      assertEquals(7, reopened.lastPushSeq());
    }
  }

  @Test
  void aTornRecordAtTheEndIsCutOffAndLaterWritesStayReadable() throws Exception {
    try (var outbox = DurableOutbox.open(directory, false)) {
      outbox.add(frame("a"));
    }
    // A crash in the middle of a write leaves half a record.
    Files.write(directory.resolve("outbox.log"), new byte[] {1, 0, 0, 0, 99, 42}, StandardOpenOption.APPEND);
    try (var reopened = DurableOutbox.open(directory, false)) {
      assertEquals(List.of("a"), ids(reopened));
      reopened.add(frame("b"));
    }
    try (var again = DurableOutbox.open(directory, true)) {
      assertEquals(List.of("a", "b"), ids(again));
    }
  }

  @Test
  void compactionKeepsOnlyLiveFramesAndTheFileStaysSmall() throws Exception {
    try (var outbox = DurableOutbox.open(directory, false)) {
      outbox.pushSeen(3);
      for (int i = 0; i < 5000; i++) {
        outbox.add(frame("m" + i));
        if (i % 100 != 0) {
          outbox.done("m" + i);
        }
      }
    }
    long size = Files.size(directory.resolve("outbox.log"));
    try (var reopened = DurableOutbox.open(directory, false)) {
      assertEquals(50, reopened.size());
      assertEquals("m0", ids(reopened).get(0));
      assertEquals(3, reopened.lastPushSeq());
    }
    assertTrue(size < 200_000, "the log was compacted, size " + size);
  }

  static ClientFrame frame(String id) {
    return ClientFrame.newBuilder().setMessageId(id).setTelemetry(Telemetry.newBuilder().putReadings("t", 1.0)).build();
  }

  private static List<String> ids(DurableOutbox outbox) {
    return outbox.pending().stream().map(ClientFrame::getMessageId).toList();
  }
}
