package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadMainTest {

  @Test
  void parsesTheDocumentedArguments() {
    var settings = LoadMain.parse(List.of("--scenario", "steady", "--report", "out", "--url", "ws://127.0.0.1:9/v1/ws",
        "--secret", "s", "--users", "7", "--rate", "12.5", "--duration", "1500ms", "--cassandra", "127.0.0.1:9142"),
        Map.of());

    assertEquals("steady", settings.scenario());
    assertEquals(Path.of("out"), settings.reportDirectory());
    assertEquals(7, settings.devices());
    assertEquals(12.5, settings.ratePerSecond());
    assertEquals(Duration.ofMillis(1500), settings.duration());
    assertEquals(9142, settings.cassandra().getPort());
  }

  @Test
  void parsesTheTrafficMix() {
    var mix = LoadMain.mix(List.of("--scenario", "steady", "--report", "out", "--mix", "telemetry=70,chat=30",
        "--conversation-size", "8"));
    assertEquals(new io.herald.load.sim.TrafficMix(70, 0, 30, 8), mix);
    assertEquals(io.herald.load.sim.TrafficMix.TELEMETRY_ONLY, LoadMain.mix(List.of("--scenario", "steady")));
  }

  @Test
  void takesTheSecretFromTheEnvironment() {
    var settings = LoadMain.parse(List.of("--scenario", "steady", "--report", "out"), Map.of("HERALD_JWT_SECRET", "env"));

    assertEquals("env", settings.jwtSecret());
  }

  @Test
  void refusesTargetsOtherThanThisMachine() {
    assertThrows(LocalTargets.NonLocalTargetException.class, () -> LoadMain.parse(List.of("--scenario", "steady",
        "--report", "out", "--secret", "s", "--url", "ws://example.com/v1/ws"), Map.of()));
    assertThrows(LocalTargets.NonLocalTargetException.class, () -> LoadMain.parse(List.of("--scenario", "steady",
        "--report", "out", "--secret", "s", "--cassandra", "10.0.0.1:9042"), Map.of()));
  }

  @Test
  void refusesUnboundedOrMalformedArguments() {
    assertThrows(IllegalArgumentException.class, () -> LoadMain.parse(List.of("--scenario", "steady", "--report", "o",
        "--secret", "s", "--duration", "5h"), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> LoadMain.parse(List.of("--scenario", "steady", "--report", "o",
        "--secret", "s", "--users", "0"), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> LoadMain.parse(List.of("--report", "o", "--secret", "s"),
        Map.of()));
    assertThrows(Scenarios.UnknownScenarioException.class, () -> LoadMain.parse(List.of("--scenario", "nope",
        "--report", "o", "--secret", "s"), Map.of()));
  }
}
