package io.herald.user.device;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.persistence.DedupWindow;
import io.herald.persistence.JournalFuzzing;
import java.time.Duration;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Device events and snapshots as Cassandra holds them, arbitrary bytes under each manifest: read back they give
 * events or a state, or the documented exception, and what they give survives a write and a read (see
 * {@link JournalFuzzing}).
 *
 * <p>Every build replays the inputs under
 * src/test/resources/io/herald/user/device/DeviceJournalFuzzTestInputs (surefire execution "fuzz");
 * {@code -Dherald.fuzz=true} fuzzes for 5 s, with {@code -Dherald.fuzz.long=true} for long (docs/fuzzing.md):
 * {@code mvn -pl user-service test-compile surefire:test@fuzz -Dherald.fuzz=true -Dherald.fuzz.long=true -Dtest=DeviceJournalFuzzTest}.
 */
class DeviceJournalFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";

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
      JournalFuzzing.events(data, JournalFuzzing.MANIFESTS, new DeviceEventAdapter());
    } else {
      JournalFuzzing.snapshot(data, "herald.events.v1.DeviceSnapshot",
          new DeviceSnapshotAdapter(new DedupWindow.Bounds(1000, Duration.ofHours(24))));
    }
  }
}
