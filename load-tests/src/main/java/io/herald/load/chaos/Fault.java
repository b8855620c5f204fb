package io.herald.load.chaos;

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

  /** Injects the fault, heals it, and returns when the cluster is whole again. */
  void strike(ChaosCluster cluster, FaultLog log) throws Exception;
}
