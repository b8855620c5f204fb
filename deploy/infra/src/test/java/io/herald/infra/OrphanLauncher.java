package io.herald.infra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.solr.SolrNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The orphan tests' launcher: a JVM of its own ({@link #main}) starts a Kafka or a Solr in a fresh data directory,
 * says READY, and is then killed -9; the child it launched must stop by itself.
 */
public final class OrphanLauncher {

    /** What the launcher JVM starts: its name on the command line and the pid file it leaves in the data dir. */
    public enum Kind {
        KAFKA("kafka-0.pid"), SOLR("solr.pid");

        private final String pidFile;

        Kind(String pidFile) {
            this.pidFile = pidFile;
        }
    }

    private final Kind kind;
    private final Path dataDir;
    private Process launcher;

    public OrphanLauncher(Kind kind) {
        this.kind = kind;
        this.dataDir = Path.of(System.getProperty("herald.infra.dir", System.getProperty("java.io.tmpdir")),
                kind.name().toLowerCase() + "-orphan-test-" + UUID.randomUUID()).toAbsolutePath();
    }

    /** Where the launcher JVM kept its child's data; a second start there must work. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Starts the launcher JVM and waits until its child is ready, checks that the recorded pid is that child, kills
     * the launcher -9 and waits until the child is gone: ParentWatch polls every second, then the child shuts down
     * cleanly or is halted after 20 s.
     */
    public void killLauncherAndAwaitOrphanGone() throws Exception {
        launcher = new ProcessBuilder(ChildProcess.javaExecutable(), "-cp", System.getProperty("java.class.path"),
                OrphanLauncher.class.getName(), kind.name(), dataDir.toString())
                .redirectErrorStream(true)
                .start();
        awaitReady(launcher).get(180, TimeUnit.SECONDS);

        Properties pid = PropertiesFiles.read(pidFile());
        ProcessHandle child = ProcessHandle.of(Long.parseLong(pid.getProperty("pid"))).orElseThrow();
        assertTrue(child.isAlive());
        assertTrue(child.parent().map(p -> p.pid() == launcher.pid()).orElse(false),
                "the pid file names a child of the launcher");

        launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(60)).until(() -> !child.isAlive());
    }

    /** After each test: should it have failed, no launcher and no child are left behind, nor the data directory. */
    public void cleanUp() {
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        // The reaper only stops what the pid file names.
        ChildProcess.reapStale(pidFile());
        Directories.deleteRecursively(dataDir);
    }

    private Path pidFile() {
        return dataDir.resolve(kind.pidFile);
    }

    private static CompletableFuture<String> awaitReady(Process launcher) {
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
        }, "orphan-launcher-output");
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** The launcher JVM: {@code KAFKA|SOLR <dataDir>}; starts it, says where, then waits to be killed. */
    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args[1]);
        String where = switch (Kind.valueOf(args[0])) {
            case KAFKA -> KafkaCluster.builder().dataDir(dataDir).start().bootstrapServers();
            case SOLR -> SolrNode.builder().dataDir(dataDir).start().baseUrl();
        };
        System.out.println("READY " + where);
        System.out.flush();
        Thread.currentThread().join();
    }
}
