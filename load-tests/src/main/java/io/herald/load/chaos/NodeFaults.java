package io.herald.load.chaos;

import io.herald.infra.nodes.NodeProcesses;
import java.io.IOException;
import java.time.Duration;

/** Faults of Herald node processes: a crash, a freeze, a rolling restart. */
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
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
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
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
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
      boolean downExpected = timings.freeze().compareTo(
          cluster.settings().stableAfter().plus(FAILURE_DETECTOR_MARGIN)) > 0;
      if (cluster.nodes().awaitExit(victim, EXIT_TIMEOUT)) {
        log.evidence("frozen_node_exited", 1);
        replace(cluster, victim, timings, log);
      } else {
        log.evidence("frozen_node_exited", 0);
        if (downExpected) {
          log.problem("node " + victim + " was frozen past stable-after but did not exit within " + EXIT_TIMEOUT
              + " of waking");
          cluster.nodes().kill(victim);
          awaitGone(cluster.nodes(), victim, log);
          replace(cluster, victim, timings, log);
        } else {
          cluster.awaitWhole(timings.healTimeout());
          log.healed("node " + victim + " woke before it was downed; cluster whole");
        }
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
    public void strike(ChaosCluster cluster, FaultLog log) throws Exception {
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
