package io.herald.infra.solr;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.ChildProcess;
import io.herald.infra.Directories;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A kill -9 of the JVM that launched Solr must not leave the Solr JVM running, nor block a later start. */
class SolrOrphanTest {

    private final Path dataDir = Path.of(System.getProperty("herald.infra.dir",
            System.getProperty("java.io.tmpdir")), "solr-orphan-test-" + UUID.randomUUID()).toAbsolutePath();
    private Process launcher;

    @Test
    void solrDiesWhenItsLauncherIsKilled() throws Exception {
        launcher = new ProcessBuilder(ChildProcess.javaExecutable(), "-cp", System.getProperty("java.class.path"),
                OrphanSolrMain.class.getName(), dataDir.toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        ready.complete(line);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("launcher exited before READY"));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        }, "solr-orphan-launcher-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(180, TimeUnit.SECONDS);

        ProcessHandle solr = ProcessHandle.of(recordedPid(dataDir.resolve("solr.pid"))).orElseThrow();
        assertTrue(solr.isAlive());
        assertTrue(solr.parent().map(p -> p.pid() == launcher.pid()).orElse(false),
                "the pid file names a child of the launcher");

        launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // ParentWatch polls every second, then Jetty and Solr shut down cleanly, or are halted after 20 s.
        await().atMost(Duration.ofSeconds(60)).until(() -> !solr.isAlive());

        // What it left (recorded ports, the embedded ZooKeeper's data) does not stand in the way of the next start.
        try (SolrNode again = SolrNode.builder().dataDir(dataDir).build()) {
            again.start();
            assertEquals(List.of(), new SolrHttpClient(again.baseUrl(), Duration.ofSeconds(5)).collections());
        }
    }

    @AfterEach
    void cleanUp() {
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        // Should the test have failed, leave no Solr behind: the reaper only stops what the pid file names.
        ChildProcess.reapStale(dataDir.resolve("solr.pid"));
        Directories.deleteRecursively(dataDir);
    }

    private static long recordedPid(Path pidFile) throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(pidFile)) {
            props.load(in);
        }
        return Long.parseLong(props.getProperty("pid"));
    }
}
