package io.herald.load.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.load.sim.TrafficMix.Kind;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TrafficMixTest {

  @Test
  void arrivalsFollowTheSharesInEveryBlock() {
    var mix = TrafficMix.parse("telemetry=7, shadow=1, chat=2", 5);
    var counts = new EnumMap<Kind, Long>(Kind.class);
    LongStream.range(0, 1000).forEach(i -> counts.merge(mix.kindOf(i), 1L, Long::sum));

    assertEquals(Map.of(Kind.TELEMETRY, 700L, Kind.SHADOW, 100L, Kind.CHAT, 200L), counts);
    assertEquals("telemetry=7,shadow=1,chat=2", mix.describe());
  }

  @Test
  void missingKindsAreZeroAndNonsenseIsRefused() {
    assertEquals(Kind.CHAT, TrafficMix.parse("chat=1", 5).kindOf(12));
    assertThrows(IllegalArgumentException.class, () -> TrafficMix.parse("video=5", 5));
    assertThrows(IllegalArgumentException.class, () -> TrafficMix.parse("telemetry=lots", 5));
    assertThrows(IllegalArgumentException.class, () -> TrafficMix.parse("telemetry=0", 5));
    assertThrows(IllegalArgumentException.class, () -> TrafficMix.parse("chat=1", 1));
  }
}
