package io.herald.load.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * How long faults last and how long healing may take.
 *
 * @param hold how long a broker, Cassandra or Solr stays down before it is started again
 * @param freeze how long a node stays frozen (SIGSTOP) before SIGCONT, or cut off (node-partition) before its link
 *     works again; past stable-after plus the failure detector's few seconds, the node is downed and exits
 * @param healTimeout the bound on making the cluster whole after a fault (a replacement node joining, Cassandra
 *     starting)
 * @param poisonRecords how many undecodable records poison-records writes to herald.ingress
 * @param searchCatchUp solr-kill: the bound on the search projection indexing, once Solr is back, every chat message
 *     the journal held by then
 */
public record FaultTimings(Duration hold, Duration freeze, Duration healTimeout, int poisonRecords,
    Duration searchCatchUp) {

  /** With the default catch-up bound (2 minutes). */
  public FaultTimings(Duration hold, Duration freeze, Duration healTimeout, int poisonRecords) {
    this(hold, freeze, healTimeout, poisonRecords, DEFAULT_SEARCH_CATCH_UP);
  }

  static final Duration DEFAULT_SEARCH_CATCH_UP = Duration.ofMinutes(2);

  public FaultTimings {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(freeze, "freeze");
    Objects.requireNonNull(healTimeout, "healTimeout");
    Objects.requireNonNull(searchCatchUp, "searchCatchUp");
    if (poisonRecords < 1) {
      throw new IllegalArgumentException("poisonRecords must be >= 1");
    }
  }

  /**
   * The full-length scenarios: 10 s down, a 30 s freeze, 3 minutes to heal, 20 poison records, 2 minutes for search
   * to catch up.
   */
  public static FaultTimings defaults() {
    return new FaultTimings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(3), 20,
        DEFAULT_SEARCH_CATCH_UP);
  }
}
