package io.herald.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.herald.infra.solr.SolrHttpClient;
import io.herald.infra.solr.SolrNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared Solr a test gets as a parameter answers as SolrCloud, and every test of the JVM gets the same one. */
@RequiresInfra
class SharedSolrTest {

    private static SolrNode first;

    @Test
    void aTestGetsARunningSolrCloudNode(SolrNode solr) {
        var client = new SolrHttpClient(solr.baseUrl(), Duration.ofSeconds(10));
        assertEquals(1, client.liveNodes().size(), "one live node in its ZooKeeper");
        remember(solr);
    }

    @Test
    void everyTestOfTheJvmGetsTheSameOne(SolrNode solr) {
        remember(solr);
    }

    private static synchronized void remember(SolrNode solr) {
        if (first == null) {
            first = solr;
        }
        assertSame(first, solr);
    }
}
