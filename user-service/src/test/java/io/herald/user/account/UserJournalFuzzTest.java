package io.herald.user.account;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.JournalFuzzing;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * User events and snapshots as Cassandra holds them, arbitrary bytes under each manifest: read back they give
 * events or a state, or the documented exception, and what they give survives a write and a read (see
 * {@link JournalFuzzing}).
 *
 * <p>The build fuzzes for 10 s (surefire execution "fuzz"); without JAZZER_FUZZ the inputs under
 * src/test/resources/io/herald/user/account/UserJournalFuzzTestInputs are replayed; long on demand:
 * {@code mvn -pl user-service test-compile surefire:test@fuzz -Dherald.fuzz.long=true -Dtest=UserJournalFuzzTest}.
 */
class UserJournalFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  // Every message of herald.events.v1 and one of another package: the entity's own and what it must refuse.
  private static final List<String> MANIFESTS = List.of("herald.events.v1.TelemetryRecorded", "herald.events.v1.ReportedStateChanged", "herald.events.v1.DesiredStateChanged", "herald.events.v1.PresenceChanged",
      "herald.events.v1.PushEnqueued", "herald.events.v1.PushesAcknowledged", "herald.events.v1.ConversationCreated", "herald.events.v1.ChatMessageAppended", "herald.events.v1.ReadPointerMoved",
      "herald.events.v1.FanOutProgressed", "herald.events.v1.ChatSendParked", "herald.events.v1.ParkedChatSendRefused",
      "herald.events.v1.ConversationMembersChanged", "herald.events.v1.ConversationMembersNotified",
      "herald.device.v1.ClientFrame");

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5s")
  void storedBytes(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5m")
  void storedBytesForLong(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      JournalFuzzing.events(data, MANIFESTS, new UserEventAdapter());
    } else {
      JournalFuzzing.snapshot(data, "herald.events.v1.UserSnapshot",
          new UserSnapshotAdapter(new DedupWindow.Bounds(2000, Duration.ofHours(24))));
    }
  }
}
