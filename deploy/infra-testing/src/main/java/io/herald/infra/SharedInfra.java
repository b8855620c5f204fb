package io.herald.infra;

import io.herald.infra.containers.ContainerCassandra;
import io.herald.infra.containers.ContainerKafka;
import io.herald.infra.containers.DockerDetection;
import io.herald.infra.solr.SolrNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Kafka and the one Cassandra shared by all tests of a JVM, started on first request and stopped at the end
 * of the test run ({@link InfraExtension}) or at JVM exit. Code that is not a JUnit parameter gets them here too.
 *
 * <p>Where they run: {@code -Dherald.infra=processes} forces child JVMs, {@code -Dherald.infra=containers} forces
 * Testcontainers; unset, containers are used if a Docker engine answers, else processes. Process data goes to
 * {@code ${herald.infra.dir}/jvm-<pid>/} (default base: {@code ${java.io.tmpdir}/herald-infra}); at the end the
 * processes are killed and the directory deleted, unless {@code -Dherald.infra.keep=true} (then they are stopped
 * cleanly and logs and data are kept). The shared Cassandra syncs its commit log in BATCH mode, so tests may kill it
 * without losing acknowledged writes.
 */
public final class SharedInfra {

    /** Where the shared instances run. */
    public enum Mode { PROCESSES, CONTAINERS }

    private static final Logger log = LoggerFactory.getLogger(SharedInfra.class);
    private static final Pattern JVM_DIR = Pattern.compile("jvm-(\\d+)");

    private static Mode mode;
    private static CompletableFuture<Kafka> kafka;
    private static CompletableFuture<Cassandra> cassandra;
    private static CompletableFuture<SolrNode> solr;
    private static final List<AutoCloseable> toClose = new ArrayList<>();
    private static Path jvmDir;
    private static boolean shutdownHookAdded;

    private SharedInfra() {
    }

    /** The shared Kafka (one broker), started now if it is not yet. */
    public static Kafka kafka() {
        return join(kafkaStart(), "Kafka");
    }

    /** The shared Cassandra, started now if it is not yet. */
    public static Cassandra cassandra() {
        return join(cassandraStart(), "Cassandra");
    }

    /**
     * The shared Solr (SolrCloud with its embedded ZooKeeper), started now if it is not yet. Always a child process
     * (herald-infra's {@link SolrNode}), also where Kafka and Cassandra run as containers. A test that kills it starts
     * it again before it ends.
     */
    public static SolrNode solr() {
        return join(solrStart(), "Solr");
    }

    /** Where the shared instances run (decided once per JVM, on first use). */
    public static synchronized Mode mode() {
        if (mode == null) {
            mode = chooseMode();
        }
        return mode;
    }

    /** Starts the requested instances in the background, so that a test needing both waits for the slower only. */
    static void startInBackground(boolean needKafka, boolean needCassandra, boolean needSolr) {
        if (needKafka) {
            kafkaStart();
        }
        if (needCassandra) {
            cassandraStart();
        }
        if (needSolr) {
            solrStart();
        }
    }

    /** Stops the shared instances (in parallel) and deletes their data; a later request starts fresh ones. */
    public static void stopAll() {
        List<AutoCloseable> closing;
        Path dir;
        synchronized (SharedInfra.class) {
            closing = new ArrayList<>(toClose);
            toClose.clear();
            kafka = null;
            cassandra = null;
            solr = null;
            dir = jvmDir;
            jvmDir = null;
        }
        boolean keep = Boolean.getBoolean("herald.infra.keep");
        if (!closing.isEmpty()) {
            log.info("stopping the shared test infrastructure{}", keep ? "; keeping its data in " + dir : "");
        }
        List<Thread> closers = new ArrayList<>();
        for (AutoCloseable resource : closing) {
            Thread t = new Thread(() -> {
                try {
                    if (!keep) {
                        // The data is deleted next: a clean shutdown (5-8 s for Cassandra) would buy nothing.
                        discardWithoutShutdown(resource);
                    }
                    resource.close();
                } catch (Exception e) {
                    log.warn("could not stop {}: {}", resource, e.toString());
                }
            }, "herald-infra-stop");
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (dir != null && !keep) {
            Directories.deleteRecursively(dir);
        }
    }

    private static void discardWithoutShutdown(AutoCloseable resource) {
        if (resource instanceof KafkaCluster cluster) {
            for (int i = 0; i < cluster.brokerCount(); i++) {
                cluster.killBroker(i);
            }
        } else if (resource instanceof CassandraNode node) {
            node.kill();
        } else if (resource instanceof SolrNode node) {
            node.kill();
        }
    }

    private static synchronized CompletableFuture<Kafka> kafkaStart() {
        if (kafka == null) {
            Mode m = mode();
            kafka = startAsync("kafka", () -> {
                if (m == Mode.CONTAINERS) {
                    ContainerKafka container = register(new ContainerKafka());
                    container.start();
                    return container;
                }
                KafkaCluster cluster = register(KafkaCluster.builder().dataDir(jvmDir().resolve("kafka")).build());
                cluster.start();
                return cluster;
            });
        }
        return kafka;
    }

    private static synchronized CompletableFuture<Cassandra> cassandraStart() {
        if (cassandra == null) {
            Mode m = mode();
            cassandra = startAsync("cassandra", () -> {
                if (m == Mode.CONTAINERS) {
                    ContainerCassandra container = register(new ContainerCassandra());
                    container.start();
                    return container;
                }
                CassandraNode node = register(CassandraNode.builder().dataDir(jvmDir().resolve("cassandra"))
                        .commitlogSync(CassandraNode.CommitlogSync.BATCH).build());
                node.start();
                return node;
            });
        }
        return cassandra;
    }

    private static synchronized CompletableFuture<SolrNode> solrStart() {
        if (solr == null) {
            solr = startAsync("solr", () -> {
                // A short ZooKeeper session: after a kill -9, Solr waits for its old session to expire before it
                // registers again (15 s by default).
                SolrNode node = register(SolrNode.builder().dataDir(jvmDir().resolve("solr"))
                        .jvmOptions("-DzkClientTimeout=5000").build());
                node.start();
                return node;
            });
        }
        return solr;
    }

    private static <T> CompletableFuture<T> startAsync(String what, Supplier<T> start) {
        // Own threads: the common pool has a single worker on a 2-core machine, and would run the starts in turn.
        Executor ownThread = task -> {
            Thread t = new Thread(task, "herald-infra-start-" + what);
            t.setDaemon(true);
            t.start();
        };
        return CompletableFuture.supplyAsync(start, ownThread);
    }

    private static synchronized <T extends AutoCloseable> T register(T resource) {
        toClose.add(resource);
        if (!shutdownHookAdded) {
            Runtime.getRuntime().addShutdownHook(new Thread(SharedInfra::stopAll, "herald-infra-shared-stop"));
            shutdownHookAdded = true;
        }
        return resource;
    }

    private static <T> T join(CompletableFuture<T> future, String what) {
        try {
            return future.join();
        } catch (CompletionException e) {
            // The failure is remembered: every later test fails at once instead of waiting for another timeout.
            throw new InfraStartException("the shared " + what + " could not be started: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    private static Mode chooseMode() {
        String requested = System.getProperty("herald.infra", "").trim().toLowerCase(Locale.ROOT);
        Mode chosen;
        String reason;
        switch (requested) {
            case "processes" -> {
                chosen = Mode.PROCESSES;
                reason = "-Dherald.infra=processes";
            }
            case "containers" -> {
                chosen = Mode.CONTAINERS;
                reason = "-Dherald.infra=containers";
            }
            case "" -> {
                boolean docker = DockerDetection.isDockerAvailable(Duration.ofSeconds(20));
                chosen = docker ? Mode.CONTAINERS : Mode.PROCESSES;
                reason = docker ? "a Docker engine answers" : "no Docker engine; -Dherald.infra unset";
            }
            default -> throw new IllegalArgumentException(
                    "-Dherald.infra must be 'processes' or 'containers', was '" + requested + "'");
        }
        log.info("Herald test infrastructure runs as {} ({})", chosen == Mode.PROCESSES
                ? "child JVM processes" : "Testcontainers containers", reason);
        return chosen;
    }

    private static synchronized Path jvmDir() {
        if (jvmDir == null) {
            Path base = Path.of(System.getProperty("herald.infra.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "herald-infra").toString())).toAbsolutePath();
            removeLeftoversOfDeadJvms(base);
            jvmDir = base.resolve("jvm-" + ProcessHandle.current().pid());
        }
        return jvmDir;
    }

    /** Directories of test JVMs that died without cleaning up: stop their children (if any still run), delete. */
    private static void removeLeftoversOfDeadJvms(Path base) {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.toList()) {
                Matcher m = JVM_DIR.matcher(dir.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    try (Stream<Path> files = Files.walk(dir, 2)) {
                        files.filter(f -> f.getFileName().toString().endsWith(".pid")).forEach(ChildProcess::reapStale);
                    }
                    Directories.deleteRecursively(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not clean up {}: {}", base, e.toString());
        }
    }
}
