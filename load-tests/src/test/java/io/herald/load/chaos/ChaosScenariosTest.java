package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.report.FaultMarker;
import io.herald.load.report.FaultReport;
import io.herald.load.report.RunSummary;
import io.herald.load.sim.TrafficMix;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A short version of every chaos scenario on one cluster (2 node processes, 3 brokers, Cassandra): 10 devices offer
 * 40 frames/s for 5 s, the fault strikes 1.5 s in. Each run must lose, duplicate and reorder nothing, get every
 * frame acked and applied, and measure recovery_s; the fault's own checks must hold (the frozen node exits, poison
 * records reach herald.dead-letter). Data and logs stay in target/chaos-scenarios-test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// Beside the module's other classes (junit-platform.properties says why); its methods run in order, in its thread.
@Execution(ExecutionMode.CONCURRENT)
class ChaosScenariosTest {

  private static final Duration STABLE_AFTER = Duration.ofSeconds(3);
  private static final int DEVICES = 10;
  private static final double RATE = 40;
  private static final Duration LOAD = Duration.ofSeconds(5);
  private static final Duration FAULT_AT = Duration.ofMillis(1500);
  /** Just past what downing takes: stable-after plus the failure detector's margin, plus 2 s. */
  private static final Duration FREEZE = STABLE_AFTER.plus(NodeFaults.FAILURE_DETECTOR_MARGIN).plusSeconds(2);
  private static final FaultTimings TIMINGS = new FaultTimings(Duration.ofSeconds(2), FREEZE, Duration.ofMinutes(2), 10);

  private final Path workDirectory = Path.of("target", "chaos-scenarios-test", Instant.now().toString().replace(':', '-'))
      .toAbsolutePath();
  private ChaosCluster cluster;

  @BeforeAll
  void startTheCluster() throws Exception {
    cluster = ChaosCluster.start(new ChaosClusterSettings(2, STABLE_AFTER, workDirectory.resolve("cluster"),
        nodeClasspath(), Duration.ofMinutes(4)));
    var warm = ChaosRun.warmUp(cluster, new ChaosSettings(DEVICES, RATE, LOAD, FAULT_AT, TIMINGS, workDirectory),
        TrafficMix.TELEMETRY_ONLY, System.out).summary();
    assertEquals(warm.sent(), warm.acked(), "the warm-up run is acked in full");
  }

  @AfterAll
  void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(1)
  void nodeKill() throws Exception {
    runAndCheck("node-kill");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(2)
  void brokerKill() throws Exception {
    runAndCheck("broker-kill");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(3)
  void cassandraStop() throws Exception {
    runAndCheck("cassandra-stop");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(4)
  void cassandraKill() throws Exception {
    runAndCheck("cassandra-kill");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(5)
  void nodeFreezeIsDownedAndTheWokenNodeExits() throws Exception {
    var fault = runAndCheck("node-freeze");
    assertEquals(1L, fault.evidence().get("frozen_node_exited"), "the node frozen past stable-after was downed and exited");
  }

  /**
   * Where no namespace can be made (not root), the harness must say why, and the test is aborted (reported as
   * skipped, with the reason) rather than passing green unrun.
   */
  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(6)
  void nodePartitionIsDownedOnBothSidesAndTheCutOffNodeExits() throws Exception {
    var unavailable = cluster.namespaceUnavailable();
    if (unavailable.isPresent()) {
      var result = ChaosRun.run(cluster, Faults.all(TIMINGS).get("node-partition"), settings("node-partition"),
          System.out);
      assertTrue(result.wasSkipped());
      assertTrue(result.skippedBecause().orElseThrow().contains(unavailable.get()), result.skippedBecause()::get);
      Assumptions.abort("node-partition could not run here: " + result.skippedBecause().get());
    }
    var fault = runAndCheck("node-partition");
    assertEquals(1L, fault.evidence().get("partitioned_node_seen_unreachable"), "the survivor lost sight of the node");
    assertEquals(1L, fault.evidence().get("partitioned_node_exited"), "the cut-off node downed itself and exited");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(7)
  void rollingRestart() throws Exception {
    var fault = runAndCheck("rolling-restart");
    assertEquals(2, fault.markers().stream().filter(m -> m.kind() == FaultMarker.Kind.HEALED).count(),
        "each node replaced in turn");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(8)
  void poisonRecordsReachTheDeadLetterTopic() throws Exception {
    var fault = runAndCheck("poison-records");
    assertEquals(10L, fault.evidence().get("poison_produced"));
    assertEquals(10L, fault.evidence().get("poison_dead_lettered"));
  }

  private FaultReport runAndCheck(String scenario) throws Exception {
    cluster.awaitWhole(Duration.ofMinutes(2));
    long started = System.nanoTime();
    var result = ChaosRun.run(cluster, Faults.all(TIMINGS).get(scenario), settings(scenario), System.out);
    System.out.printf("[chaos-test] %s took %.1f s%n", scenario, (System.nanoTime() - started) / 1e9);

    assertFalse(result.wasSkipped(), () -> scenario + " skipped: " + result.skippedBecause());
    RunSummary summary = result.load().orElseThrow().summary();
    FaultReport fault = result.fault().orElseThrow();
    assertEquals(0, summary.lost(), () -> "lost: " + summary.findings());
    assertEquals(0, summary.duplicates(), () -> "duplicates: " + summary.findings());
    assertEquals(0, summary.outOfOrder(), () -> "out of order: " + summary.findings());
    assertEquals(0, summary.pushGaps(), () -> "push gaps: " + summary.findings());
    assertEquals(Math.round(RATE * LOAD.toSeconds()), summary.sent(), "every arrival was taken by a client");
    assertEquals(summary.sent(), summary.acked(), () -> "every frame acked; nacks " + summary.nackedByCode());
    assertTrue(summary.applied() >= summary.acked(), "every acked frame applied");
    assertEquals(java.util.List.of(), fault.problems());
    assertTrue(fault.recoveryS() >= 0, "recovery measured: " + fault.recoveryS());
    assertTrue(fault.markers().stream().anyMatch(m -> m.kind() == FaultMarker.Kind.INJECTED));
    assertTrue(fault.markers().stream().anyMatch(m -> m.kind() == FaultMarker.Kind.HEALED));
    assertTrue(result.held());

    var report = result.load().get().reportDirectory();
    String json = Files.readString(report.resolve("summary.json"));
    for (String field : java.util.List.of("\"scenario\": \"" + scenario + "\"", "\"rate_target\"", "\"recovery_s\"",
        "\"fault_markers\"", "\"lost\": 0", "\"duplicates\": 0", "\"out_of_order\": 0")) {
      assertTrue(json.contains(field), field + " missing from " + json);
    }
    assertTrue(Files.readString(report.resolve("report.html")).contains("stroke-dasharray"), "fault markers drawn");
    System.out.printf("[chaos-test] %s recovery_s %s%n", scenario, fault.recoveryS());
    return fault;
  }

  private ChaosSettings settings(String scenario) {
    return new ChaosSettings(DEVICES, RATE, LOAD, FAULT_AT, TIMINGS, workDirectory.resolve(scenario));
  }

  /** deploy/node's classes and runtime classpath, as bin/herald gives it (written by deploy/node's build). */
  private static String nodeClasspath() throws Exception {
    Path node = Path.of("..", "deploy", "node", "target").toAbsolutePath().normalize();
    return node.resolve("classes") + File.pathSeparator + Files.readString(node.resolve("herald.classpath")).trim();
  }
}
