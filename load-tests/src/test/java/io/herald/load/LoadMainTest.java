package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadMainTest {

  @Test
  void helpIsTheUsageOnStandardOutputAndExitZero() {
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    assertEquals(0, LoadMain.run(List.of("--help"), Map.of(), new java.io.PrintStream(out, true),
        new java.io.PrintStream(err, true)));
    assertTrue(out.toString().contains("--scenario"), out.toString());
    assertEquals("", err.toString());
    assertEquals(0, LoadMain.run(List.of("--scenario", "sessions", "--help"), Map.of(), new java.io.PrintStream(out, true),
        new java.io.PrintStream(err, true)));
    assertTrue(out.toString().contains("--connect-rate"), "the sessions scenario's own usage: " + out);
  }

  @Test
  void anUnknownOptionIsAnErrorWithExitTwo() {
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    assertEquals(2, LoadMain.run(List.of("--scenario", "steady", "--report", "out", "--secret", "s", "--rat", "5"),
        Map.of(), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)));
    assertTrue(err.toString().startsWith("error: unknown option --rat"), err.toString());
  }

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
    var mix = LoadMain.parsePlan(List.of("--scenario", "steady", "--report", "out", "--secret", "s", "--mix",
        "telemetry=70,chat=30", "--conversation-size", "8"), Map.of()).mix();
    assertEquals(new io.herald.load.sim.TrafficMix(70, 0, 30, 8), mix);
    assertEquals(io.herald.load.sim.TrafficMix.TELEMETRY_ONLY,
        LoadMain.parsePlan(List.of("--scenario", "steady", "--report", "out", "--secret", "s"), Map.of()).mix());
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

  @Test
  void parsesTheRampOverloadAndBaselineOptions() {
    var plan = LoadMain.parsePlan(List.of("--scenario", "overload", "--report", "out", "--secret", "s", "--rate", "40",
        "--ramp-factor", "2", "--ramp-steps", "4", "--p99-bound", "250ms", "--keep-up", "0.8", "--overload-factor",
        "2.5", "--saturation-rate", "300", "--kafka", "127.0.0.1:19192", "--baseline-duration", "3s", "--warm-up", "0s"), Map.of());

    assertEquals("overload", plan.settings().scenario());
    assertEquals(new io.herald.load.ramp.RampPlan(40, 2, 4), plan.ramp());
    assertEquals(Duration.ofMillis(250), plan.criteria().p99Bound());
    assertEquals(0.8, plan.criteria().keepUp());
    assertEquals(2.5, plan.overloadFactor());
    assertEquals(300, plan.saturationRate().getAsDouble());
    assertEquals("127.0.0.1:19192", plan.baselines().orElseThrow().kafkaBootstrap());
    assertEquals(Duration.ofSeconds(3), plan.baselines().orElseThrow().duration());
    assertEquals(Duration.ZERO, plan.warmUp());
  }

  @Test
  void withoutKafkaNoBaselinesAndTheDefaults() {
    var plan = LoadMain.parsePlan(List.of("--scenario", "ramp", "--report", "out", "--secret", "s"), Map.of());

    assertTrue(plan.baselines().isEmpty());
    assertTrue(plan.saturationRate().isEmpty());
    assertEquals(3, plan.overloadFactor());
    assertEquals(Duration.ofMillis(500), plan.criteria().p99Bound());
    assertEquals(Duration.ofSeconds(5), plan.warmUp());
  }

  @Test
  void refusesABaselineTargetOtherThanThisMachine() {
    assertThrows(LocalTargets.NonLocalTargetException.class, () -> LoadMain.parsePlan(List.of("--scenario", "steady",
        "--report", "o", "--secret", "s", "--kafka", "192.168.1.1:9092"), Map.of()));
  }

  @Test
  void parsesTheNodeAndTheBenchmarkScenarios() {
    var plan = LoadMain.parsePlan(List.of("--scenario", "ramp", "--report", "out", "--secret", "s", "--node-pid",
        "4242", "--management", "http://127.0.0.1:28558", "--coap", "coap://127.0.0.1:25684", "--events", "5000",
        "--passivation-wait", "45s", "--scale-devices", "10,200000", "--scale-in-flight", "64", "--heap-settle", "260s"), Map.of());

    assertEquals(4242, plan.node().pid().getAsLong());
    assertEquals(28558, plan.node().management().getPort());
    assertEquals(25684, plan.node().coap().getPort());
    assertEquals(new RecoveryPlan(5000, Duration.ofSeconds(45)), plan.recovery());
    assertEquals(new ScalePlan(10, 200_000, 64, Duration.ofSeconds(260)), plan.scale());
  }

  @Test
  void withoutANodePidNothingOfTheNodeIsMeasuredAndTheDefaultsAreTheIssues() {
    var plan = LoadMain.parsePlan(List.of("--scenario", "ramp", "--report", "out", "--secret", "s"), Map.of());

    assertTrue(plan.node().pid().isEmpty());
    assertTrue(plan.node().cpu().isEmpty());
    assertEquals(100_000, plan.recovery().events());
    assertEquals(new ScalePlan(1_000, 1_000_000, 512, Duration.ZERO), plan.scale());
  }

  @Test
  void refusesMalformedBenchmarkOptions() {
    List<String> base = List.of("--scenario", "scale", "--report", "out", "--secret", "s");
    for (List<String> wrong : List.of(List.of("--scale-devices", "1000"), List.of("--scale-devices", "0,10"),
        List.of("--events", "0"), List.of("--node-pid", "abc"), List.of("--management", "http://192.0.2.1:8558"))) {
      var args = new java.util.ArrayList<>(base);
      args.addAll(wrong);
      assertThrows(IllegalArgumentException.class, () -> LoadMain.parsePlan(args, Map.of()), wrong.toString());
    }
  }

  @Test
  void parsesTheNoisyNeighboursHostilePlan() {
    var plan = LoadMain.parsePlan(List.of("--scenario", "noisy-neighbour", "--report", "out", "--secret", "s",
        "--hostile-chats", "600", "--hostile-parked", "70", "--hostile-burst", "300", "--hostile-reads", "60",
        "--mix", "telemetry=70,chat=30"), Map.of());

    assertEquals("noisy-neighbour", plan.settings().scenario());
    assertEquals(new HostilePlan(600, 70, 300, 60), plan.hostile());
    assertEquals(HostilePlan.DEFAULT,
        LoadMain.parsePlan(List.of("--scenario", "noisy-neighbour", "--report", "out", "--secret", "s"), Map.of())
            .hostile());
    assertTrue(Scenarios.CHECKED.contains("noisy-neighbour"), "its phases are judged by the checker");
    for (List<String> wrong : List.of(List.of("--hostile-chats", "0"), List.of("--hostile-reads", "-1"),
        List.of("--hostile-burst", "many"), List.of("--hostile-parked", "10001"))) {
      var args = new java.util.ArrayList<>(List.of("--scenario", "noisy-neighbour", "--report", "out", "--secret", "s"));
      args.addAll(wrong);
      assertThrows(IllegalArgumentException.class, () -> LoadMain.parsePlan(args, Map.of()), wrong.toString());
    }
  }
}
