package io.herald.infra.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.infra.OrphanLauncher;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A kill -9 of the JVM that launched Solr must not leave the Solr JVM running, nor block a later start. */
class SolrOrphanTest {

    private final OrphanLauncher orphan = new OrphanLauncher(OrphanLauncher.Kind.SOLR);

    @Test
    void solrDiesWhenItsLauncherIsKilled() throws Exception {
        orphan.killLauncherAndAwaitOrphanGone();

        // What it left (recorded ports, the embedded ZooKeeper's data) does not stand in the way of the next start.
        try (SolrNode again = SolrNode.builder().dataDir(orphan.dataDir()).build()) {
            again.start();
            assertEquals(List.of(), new SolrHttpClient(again.baseUrl(), Duration.ofSeconds(5)).collections());
        }
    }

    @AfterEach
    void cleanUp() {
        orphan.cleanUp();
    }
}
