package io.herald.infra.solr;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.infra.Directories;
import io.herald.infra.nodes.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Solr node in SolrCloud mode with its embedded ZooKeeper: the chat configset and a two-shard collection are
 * created over HTTP, documents are found by word, conversation and member; a kill -9 makes the client fail fast and
 * typed; after a restart on the same data directory the documents are found again.
 */
class SolrNodeTest {

    private static final Logger log = LoggerFactory.getLogger(SolrNodeTest.class);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final Path dataDir = Path.of(System.getProperty("herald.infra.dir",
            System.getProperty("java.io.tmpdir")), "solr-test-" + UUID.randomUUID()).toAbsolutePath();
    private SolrNode solr;

    @Test
    void indexesSearchesFailsFastWhenKilledAndKeepsItsDocuments() throws IOException {
        long t0 = System.nanoTime();
        // A short ZooKeeper session, as the shared test Solr has: the restart below waits for the killed node's.
        solr = SolrNode.builder().dataDir(dataDir).jvmOptions("-DzkClientTimeout=5000").start();
        long startMillis = (System.nanoTime() - t0) / 1_000_000;
        SolrHttpClient client = new SolrHttpClient(solr.baseUrl(), CLIENT_TIMEOUT);

        client.uploadConfigset(SolrConfigset.chat());
        assertTrue(client.createCollection("chat", "herald-chat", 2, 1));
        assertFalse(client.createCollection("chat", "herald-chat", 2, 1), "a second create finds it there");
        client.index("chat", List.of(
                message("conv-a|1", "conv-a", "alice", List.of("alice", "bob"), "The quick brown fox", 1_000),
                message("conv-b|1", "conv-b", "carol", List.of("carol", "dave"), "a lazy brown dog", 2_000)));

        // Searchable after the collection's soft commit (1 s), without an explicit commit.
        await().atMost(Duration.ofSeconds(15)).until(() -> ids(client.select("chat", "q", "brown")),
                found -> found.equals(Set.of("conv-a|1", "conv-b|1")));
        assertEquals(Set.of("conv-a|1"), ids(client.select("chat", "q", "FOX")), "tokenized, case-folded");
        assertEquals(Set.of("conv-b|1"), ids(client.select("chat", "q", "brown", "fq", "conversation_id:conv-b")));
        assertEquals(Set.of(), ids(client.select("chat", "q", "fox", "fq", "members:carol")),
                "a member of one conversation does not find another's messages");
        assertEquals(Set.of("conv-b|1"), ids(client.select("chat", "q", "*:*", "fq", "at_ms:[1500 TO *]")));
        SolrRequestException refused = assertThrows(SolrRequestException.class,
                () -> client.select("no-such-collection", "q", "*:*"));
        assertEquals(404, refused.status());

        long pid = solr.pid().orElseThrow();
        log.info("Solr started in {} ms; RSS {} MB with the collection loaded (heap -Xmx256m)", startMillis,
                rssKb(pid) / 1024);

        solr.kill();
        long beforeSearch = System.nanoTime();
        assertThrows(SolrUnavailableException.class, () -> client.select("chat", "q", "brown"));
        long failedAfterMillis = (System.nanoTime() - beforeSearch) / 1_000_000;
        log.info("search failed {} ms after the kill", failedAfterMillis);
        assertTrue(failedAfterMillis < CLIENT_TIMEOUT.toMillis(),
                "unavailable within the client's timeout, took " + failedAfterMillis + " ms");

        // The restarted embedded ZooKeeper keeps the killed node's session, and Solr waits for it to expire
        // (zkClientTimeout: 15 s by default, 5 s here) before it registers again under the same name.
        long t1 = System.nanoTime();
        solr.start();
        log.info("Solr restarted in {} ms", (System.nanoTime() - t1) / 1_000_000);
        await().atMost(Duration.ofSeconds(30)).ignoreException(SolrUnavailableException.class)
                .until(() -> ids(client.select("chat", "q", "brown")),
                        found -> found.equals(Set.of("conv-a|1", "conv-b|1")));
    }

    @Test
    void aFrozenSolrIsUnavailableAfterTheClientsTimeout() {
        solr = SolrNode.builder().dataDir(dataDir).start();
        long pid = solr.pid().orElseThrow();
        SolrHttpClient impatient = new SolrHttpClient(solr.baseUrl(), Duration.ofSeconds(1));
        assertEquals(List.of(), impatient.collections());
        // The kernel still accepts connections for a stopped process: only the client's timeout ends the wait.
        assertTrue(Signals.send(pid, "STOP"));
        try {
            long before = System.nanoTime();
            assertThrows(SolrUnavailableException.class, impatient::collections);
            long failedAfterMillis = (System.nanoTime() - before) / 1_000_000;
            log.info("a frozen Solr failed the call after {} ms (timeout 1000 ms)", failedAfterMillis);
            assertTrue(failedAfterMillis < CLIENT_TIMEOUT.toMillis(), "took " + failedAfterMillis + " ms");
        } finally {
            Signals.send(pid, "CONT");
        }
        await().atMost(Duration.ofSeconds(30)).ignoreException(SolrUnavailableException.class)
                .until(impatient::collections, List::isEmpty);
    }

    @Test
    void aSecondNodeJoinsTheFirstOnesZooKeeper() {
        solr = SolrNode.builder().dataDir(dataDir.resolve("first")).start();
        try (SolrNode second = SolrNode.builder().dataDir(dataDir.resolve("second")).zkHost(solr.zkHost()).start()) {
            assertEquals(solr.zkHost(), second.zkHost());
            SolrHttpClient client = new SolrHttpClient(second.baseUrl(), CLIENT_TIMEOUT);
            assertEquals(Set.of(solr.host() + ":" + solr.port() + "_solr", second.host() + ":" + second.port() + "_solr"),
                    Set.copyOf(client.liveNodes()));
        }
    }

    private static Map<String, Object> message(String id, String conversation, String sender, List<String> members,
                                               String text, long atMs) {
        return Map.of("id", id, "conversation_id", conversation, "sender", sender, "members", members,
                "text", text, "at_ms", atMs);
    }

    private static Set<String> ids(JsonNode response) {
        Set<String> ids = new HashSet<>();
        response.path("docs").forEach(doc -> ids.add(doc.path("id").asText()));
        assertEquals(ids.size(), response.path("numFound").asInt(), "all matches on the first page");
        return ids;
    }

    private static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .findFirst().orElse(-1);
    }

    @AfterEach
    void cleanUp() {
        if (solr != null) {
            solr.close();
        }
        Directories.deleteRecursively(dataDir);
    }
}
