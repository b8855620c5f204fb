package io.herald.load.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The cluster a chaos run injects its faults into.
 *
 * @param nodes Herald node processes (2 or 3); the faults hit the one with the highest address, which keep-majority
 *     lets go (with 2 nodes the side with the lowest address is kept), except rolling-restart, which restarts every one
 * @param stableAfter the Split Brain Resolver's {@code stable-after}: how long a node must stay unreachable before
 *     the survivors down it (production 20 s; short here so a frozen node is downed within the run)
 * @param dataDir where Kafka's, Cassandra's and the nodes' data and logs go
 * @param nodeClasspath the node's classpath (deploy/node's target/classes and target/herald.classpath)
 * @param startTimeout the bound on the whole cluster starting (brokers, Cassandra, schema, nodes ready and Up)
 * @param search chat search on: a Solr (SolrCloud, embedded ZooKeeper) beside Cassandra, and the nodes with
 *     {@code herald.search.enabled} pointing at it; only scenarios that need it pay for Solr's start
 */
public record ChaosClusterSettings(int nodes, Duration stableAfter, Path dataDir, String nodeClasspath,
    Duration startTimeout, boolean search) {

  /** Without chat search (no Solr). */
  public ChaosClusterSettings(int nodes, Duration stableAfter, Path dataDir, String nodeClasspath,
      Duration startTimeout) {
    this(nodes, stableAfter, dataDir, nodeClasspath, startTimeout, false);
  }

  public ChaosClusterSettings {
    if (nodes < 2 || nodes > 3) {
      throw new IllegalArgumentException("nodes must be 2 or 3, got " + nodes);
    }
    Objects.requireNonNull(stableAfter, "stableAfter");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(nodeClasspath, "nodeClasspath");
    if (nodeClasspath.isBlank()) {
      throw new IllegalArgumentException("the node's classpath is empty: build deploy/node first");
    }
  }
}
