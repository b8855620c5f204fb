package io.herald.node;

import io.herald.infra.solr.SolrNode;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One real Solr (SolrCloud, embedded ZooKeeper) per test JVM, started on first use and stopped when the JVM exits
 * (herald-infra stops its child processes then; ParentWatch if the JVM is killed). A test that kills it starts it
 * again before it ends.
 */
final class SharedSolr {

  private static SolrNode solr;

  private SharedSolr() {}

  static synchronized SolrNode get() {
    if (solr == null) {
      var dataDir = Path.of(System.getProperty("herald.infra.dir", System.getProperty("java.io.tmpdir")),
          "solr-node-test-" + UUID.randomUUID()).toAbsolutePath();
      // A short ZooKeeper session: after a kill -9 Solr waits for its old session to expire before it registers.
      solr = SolrNode.builder().dataDir(dataDir).jvmOptions("-DzkClientTimeout=5000").start();
    }
    return solr;
  }
}
