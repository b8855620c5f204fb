package io.herald.load.chaos;

import io.herald.infra.nodes.NodeProcesses;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Faults of Herald node processes: a crash, a freeze, a network partition, a rolling restart. */
final class NodeFaults {

  /** How long a killed or signalled node may take to be gone. */
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  /**
   * Beyond stable-after, the failure detector needs a few seconds to call a silent node unreachable (heartbeat every
   * second, 3 s acceptable pause, then phi): a freeze longer than stable-after plus this is expected to be downed.
   */
  static final Duration FAILURE_DETECTOR_MARGIN = Duration.ofSeconds(6);

  private NodeFaults() {}

  /** kill -9 of a node, then a replacement on the same ports, as a supervisor (systemd, Kubernetes) would start. */
  static final class Kill implements Fault {
    private final FaultTimings timings;

    Kill(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "node-kill";
    }

    @Override
    public String description() {
      return "kill -9 of a Herald node; a replacement on the same ports joins the running cluster";
    }

    @Override
    public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
      int victim = cluster.victim();
      log.injected("SIGKILL node " + victim);
      cluster.nodes().kill(victim);
      awaitGone(cluster.nodes(), victim, log);
      replace(cluster, victim, timings, log);
    }
  }

  /**
   * SIGSTOP of a node for the freeze time, then SIGCONT. A freeze past stable-after (plus the failure detector's
   * margin) has the survivors down the node; woken, it finds itself downed and exits (never a second writer), and a
   * replacement joins.
   */
  static final class Freeze implements Fault {
    private final FaultTimings timings;

    Freeze(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "node-freeze";
    }

    @Override
    public String description() {
      return "SIGSTOP of a node for the freeze time (30 s), then SIGCONT; the survivors down it, it exits on waking,"
          + " a replacement joins";
    }

    @Override
    public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
      int victim = cluster.victim();
      log.injected("SIGSTOP node " + victim + " for " + timings.freeze().toMillis() + " ms");
      cluster.nodes().freeze(victim);
      try {
        // The fault's duration, not a wait for something to happen.
        Thread.sleep(timings.freeze().toMillis());
      } finally {
        cluster.nodes().thaw(victim);
      }
      log.injected("SIGCONT node " + victim);
      rejoinOrReplace(cluster, victim, timings.freeze(), "frozen_node_exited", timings, log);
    }
  }

  /**
   * The node in the network namespace cut off for the freeze time ({@link NetworkNamespace#cut}: frames dropped both
   * ways, nothing fails fast), then joined again. Unlike a frozen node it keeps running: it must find itself on the
   * losing side and down itself while cut off, as the survivors down it. It then exits and a replacement joins.
   */
  static final class Partition implements Fault {
    private static final Duration POLL = Duration.ofMillis(500);
    private final FaultTimings timings;

    Partition(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "node-partition";
    }

    @Override
    public String description() {
      return "a node cut off in a network namespace (ip netns, as root; skipped elsewhere) for the freeze time (30 s);"
          + " both sides down it, it exits, a replacement joins";
    }

    @Override
    public Optional<String> cannotRunBecause(ChaosCluster cluster) {
      return cluster.namespaceUnavailable().map(why -> "no node can run in a network namespace here: " + why);
    }

    @Override
    public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
      var namespace = cluster.namespace().orElseThrow();
      int victim = cluster.victim();
      int survivor = (victim + 1) % cluster.nodes().size();
      log.injected("cut node " + victim + " (" + namespace.nodeAddress() + ") off for " + timings.freeze().toMillis()
          + " ms");
      namespace.cut();
      boolean seenUnreachable = false;
      try {
        // The fault's duration; meanwhile the survivors' view shows whether the cut really isolates the node.
        long end = System.nanoTime() + timings.freeze().toNanos();
        while (System.nanoTime() < end) {
          seenUnreachable = seenUnreachable || cluster.seesUnreachable(survivor, victim);
          Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), (end - System.nanoTime()) / 1_000_000)));
        }
      } finally {
        namespace.heal();
      }
      log.injected("node " + victim + " connected again");
      log.evidence("partitioned_node_seen_unreachable", seenUnreachable ? 1 : 0);
      rejoinOrReplace(cluster, victim, timings.freeze(), "partitioned_node_exited", timings, log);
    }
  }

  /**
   * After node {@code victim} was out of reach for {@code outOfReach}: past stable-after (plus the failure detector's
   * margin) it was downed and must exit, to be replaced; a shorter absence ends with the cluster whole again.
   * Records under {@code exitedEvidence} whether it exited.
   */
  private static void rejoinOrReplace(ChaosCluster cluster, int victim, Duration outOfReach, String exitedEvidence,
      FaultTimings timings, FaultLog log) throws IOException, InterruptedException {
    boolean downExpected = outOfReach.compareTo(cluster.settings().stableAfter().plus(FAILURE_DETECTOR_MARGIN)) > 0;
    if (cluster.nodes().awaitExit(victim, EXIT_TIMEOUT)) {
      log.evidence(exitedEvidence, 1);
      replace(cluster, victim, timings, log);
    } else {
      log.evidence(exitedEvidence, 0);
      if (downExpected) {
        log.problem("node " + victim + " was out of reach past stable-after but did not exit within " + EXIT_TIMEOUT
            + " of coming back");
        cluster.nodes().kill(victim);
        awaitGone(cluster.nodes(), victim, log);
        replace(cluster, victim, timings, log);
      } else {
        cluster.awaitWhole(timings.healTimeout());
        log.healed("node " + victim + " came back before it was downed; cluster whole");
      }
    }
  }

  /** SIGTERM of every node in turn (a graceful leave: shards handed over), each replaced before the next goes. */
  static final class RollingRestart implements Fault {
    private final FaultTimings timings;

    RollingRestart(FaultTimings timings) {
      this.timings = timings;
    }

    @Override
    public String name() {
      return "rolling-restart";
    }

    @Override
    public String description() {
      return "SIGTERM of each node in turn (graceful leave), its replacement started and ready before the next";
    }

    @Override
    public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
      for (int node = 0; node < cluster.nodes().size(); node++) {
        log.injected("SIGTERM node " + node);
        cluster.nodes().terminate(node);
        awaitGone(cluster.nodes(), node, log);
        replace(cluster, node, timings, log);
      }
    }
  }

  private static void awaitGone(NodeProcesses nodes, int node, FaultLog log) throws InterruptedException {
    if (!nodes.awaitExit(node, EXIT_TIMEOUT)) {
      log.problem("node " + node + " did not exit within " + EXIT_TIMEOUT + " of its signal; killed");
      nodes.kill(node);
      if (!nodes.awaitExit(node, EXIT_TIMEOUT)) {
        throw new IllegalStateException("node " + node + " (pid " + nodes.node(node).pid() + ") survives SIGKILL");
      }
    }
  }

  private static void replace(ChaosCluster cluster, int node, FaultTimings timings, FaultLog log)
      throws IOException, InterruptedException {
    var replacement = cluster.nodes().replace(node);
    cluster.awaitWhole(timings.healTimeout());
    log.healed("node " + node + " replaced (pid " + replacement.pid() + "), cluster whole");
  }
}
