package io.herald.load.chaos;

import io.herald.load.report.TimelineSample;
import io.herald.load.sim.TrafficMix;
import java.util.List;
import java.util.Optional;

/**
 * One chaos scenario's fault: what it breaks while the load runs, and how the cluster is made whole again. {@link
 * #strike} runs on a thread of its own from the run's fault-at moment; it records what it does in the {@link
 * FaultLog} and returns once the cluster is whole (every node running, ready and Up), or throws.
 */
public interface Fault {

  /** The scenario's name on the command line, e.g. {@code node-kill}. */
  String name();

  /** One line for {@code chaos --list}. */
  String description();

  /** Why this fault cannot be injected into {@code cluster} (missing tooling, permissions), or empty when it can. */
  default Optional<String> cannotRunBecause(ChaosCluster cluster) {
    return Optional.empty();
  }

  /** Whether the cluster must run chat search (a Solr, the nodes' projection and endpoint) for this fault. */
  default boolean needsSearch() {
    return false;
  }

  /** What the devices send while the fault strikes. */
  default TrafficMix mix() {
    return TrafficMix.TELEMETRY_ONLY;
  }

  /** Injects the fault, heals it, and returns when the cluster is whole again. */
  void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception;

  /**
   * The fault's own checks of the finished run, after the invariant checker has read the journal and before the
   * report is written: e.g. what the timeline shows while a part was down, what the read side holds. Records its
   * figures as evidence and what failed as problems.
   */
  default void judge(ChaosCluster cluster, LoadUnderFault load, List<TimelineSample> timeline, FaultLog log)
      throws Exception {}
}
