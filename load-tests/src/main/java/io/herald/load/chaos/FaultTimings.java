package io.herald.load.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * How long faults last and how long healing may take.
 *
 * @param hold how long a broker or Cassandra stays down before it is started again
 * @param freeze how long a node stays frozen (SIGSTOP) before SIGCONT, or cut off (node-partition) before its link
 *     works again; past stable-after plus the failure detector's few seconds, the node is downed and exits
 * @param healTimeout the bound on making the cluster whole after a fault (a replacement node joining, Cassandra
 *     starting)
 * @param poisonRecords how many undecodable records poison-records writes to herald.ingress
 */
public record FaultTimings(Duration hold, Duration freeze, Duration healTimeout, int poisonRecords) {

  public FaultTimings {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(freeze, "freeze");
    Objects.requireNonNull(healTimeout, "healTimeout");
    if (poisonRecords < 1) {
      throw new IllegalArgumentException("poisonRecords must be >= 1");
    }
  }

  /** The full-length scenarios: 10 s down, a 30 s freeze, 3 minutes to heal, 20 poison records. */
  public static FaultTimings defaults() {
    return new FaultTimings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(3), 20);
  }
}
