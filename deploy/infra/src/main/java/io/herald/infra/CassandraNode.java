package io.herald.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5.0, a child JVM listening on 127.0.0.1 (or another local address, {@link
 * Builder#host}).
 *
 * <pre>{@code
 * try (CassandraNode cassandra = CassandraNode.builder().dataDir(Path.of(".herald/cassandra")).nativePort(9042)
 *         .start()) {
 *     String contactPoint = cassandra.contactPoint();
 * }
 * }</pre>
 *
 * <p>Everything lives in the data directory: generated {@code conf/cassandra.yaml} and {@code conf/logback.xml},
 * data, commit log, {@code cassandra.log} (Cassandra's INFO log plus the JVM's own output) and {@code cassandra.pid}.
 * Data survives {@link #stop()}, {@link #kill()} (up to the commit log sync mode) and {@link #close()}; ports chosen
 * at first start are recorded there and reused. A {@link #stop()} lets Cassandra drain and flush.
 *
 * <p>Defaults where they differ from {@link LauncherBuilder}'s: heap {@code 512m} (RSS ~1 GB; 256m also works); start
 * timeout 180 s (5 s quiet, up to 40 s on a busy 2-core box; the quick-start JIT brings it to 4.4-5.7 s on a quiet
 * box); a SIGTERM stop takes 5-8 s.
 */
public final class CassandraNode extends SingleChildLauncher implements Cassandra {

    /** How the commit log reaches the disk; decides what survives a kill -9. */
    public enum CommitlogSync {
        /** fsync every 10 s; a kill -9 loses the last ~100 ms of acknowledged writes. Fast (~3x BATCH throughput). */
        PERIODIC,
        /** fsync before acknowledging; nothing acknowledged is lost on kill -9. For durability tests. */
        BATCH
    }

    private static final Logger log = LoggerFactory.getLogger(CassandraNode.class);
    private static final String DATACENTER = "datacenter1";

    private final int requestedNativePort;
    private final int requestedStoragePort;
    private final CommitlogSync commitlogSync;
    private final String clusterName;

    private int nativePort;
    private int storagePort;
    private List<Path> classpath;

    private CassandraNode(Builder b, LauncherSettings settings) {
        super("cassandra", settings);
        this.requestedNativePort = b.nativePort;
        this.requestedStoragePort = b.storagePort;
        this.commitlogSync = b.commitlogSync;
        this.clusterName = b.clusterName;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Ready: it answers CQL. */
    @Override
    protected void launch(ChildSlot slot) {
        slot.launch(spec(jvmOptions(), classpathWithConf(), "org.apache.cassandra.service.CassandraDaemon", List.of()),
                "serving CQL on " + contactPoint(), settings.startTimeout(),
                () -> WireProbes.cassandraAnswers(host(), nativePort));
    }

    @Override
    protected void logReady(long millis) {
        log.info("Cassandra ready at {} in {} ms (commitlog {}), data in {}", contactPoint(), millis, commitlogSync,
                dataDir());
    }

    @Override
    public int port() {
        requireStartedOnce();
        return nativePort;
    }

    /** Inter-node (gossip) port; nothing connects to it on a single node, but it must be free. */
    public int storagePort() {
        requireStartedOnce();
        return storagePort;
    }

    @Override
    public String localDatacenter() {
        return DATACENTER;
    }

    // --- start-up ---

    @Override
    protected void prepare() {
        classpath = RuntimeClasspath.cassandra();
        try {
            Files.createDirectories(confDir());
            for (String dir : List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw", "triggers", "logs")) {
                Files.createDirectories(dataDir().resolve(dir));
            }
            ChildProcess.reapStale(pidFile());
            assignPorts();
            ChildProcess.writeAtomically(confDir().resolve("cassandra.yaml"), cassandraYaml());
            ChildProcess.writeAtomically(confDir().resolve("logback.xml"), logbackXml());
        } catch (IOException e) {
            throw new InfraStartException("could not prepare Cassandra data directory " + dataDir(), e);
        }
    }

    private void assignPorts() throws IOException {
        Path stateFile = dataDir().resolve("ports.properties");
        Properties recorded = PropertiesFiles.read(stateFile);
        nativePort = FreePorts.choose(requestedNativePort, recorded.getProperty("native_transport_port"));
        storagePort = FreePorts.choose(requestedStoragePort, recorded.getProperty("storage_port"));
        Properties state = new Properties();
        state.setProperty("native_transport_port", Integer.toString(nativePort));
        state.setProperty("storage_port", Integer.toString(storagePort));
        PropertiesFiles.write(stateFile, state, "ports of this Cassandra node, kept by herald-infra");
    }

    private String cassandraYaml() {
        StringBuilder yaml = new StringBuilder("# generated by herald-infra CassandraNode; rewritten at every start\n");
        yaml.append("cluster_name: ").append(quote(clusterName)).append('\n');
        yaml.append("""
                num_tokens: 1
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                # A seed with a port, combined with a non-default storage_port, keeps the native port from opening.
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "%1$s"
                listen_address: %1$s
                rpc_address: %1$s
                start_native_transport: true
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                role_manager: CassandraRoleManager
                network_authorizer: AllowAllNetworkAuthorizer
                memtable_heap_space: 64MiB
                memtable_offheap_space: 64MiB
                file_cache_size: 32MiB
                networking_cache_size: 16MiB
                storage_compatibility_mode: NONE
                auto_snapshot: false
                disk_failure_policy: stop
                commit_failure_policy: stop
                """.formatted(host()));
        yaml.append("storage_port: ").append(storagePort).append('\n');
        yaml.append("native_transport_port: ").append(nativePort).append('\n');
        yaml.append("data_file_directories:\n  - ").append(quote(dataDir().resolve("data").toString())).append('\n');
        for (String dir : List.of("commitlog", "saved_caches", "hints", "cdc_raw")) {
            yaml.append(dir).append("_directory: ").append(quote(dataDir().resolve(dir).toString())).append('\n');
        }
        if (commitlogSync == CommitlogSync.BATCH) {
            yaml.append("commitlog_sync: batch\n");
        } else {
            yaml.append("commitlog_sync: periodic\ncommitlog_sync_period: 10000ms\n");
        }
        return yaml.toString();
    }

    private String logbackXml() {
        // The same file the launcher appends the JVM's stdout/stderr to: one place to look, both writers append.
        String file = logFile().toString()
                .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return """
                <!-- generated by herald-infra CassandraNode: INFO to cassandra.log, nothing to the console -->
                <configuration scan="false">
                  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <append>true</append>
                    <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%logger{0} - %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="FILE"/></root>
                </configuration>
                """.formatted(file);
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private List<Path> classpathWithConf() {
        List<Path> cp = new ArrayList<>();
        cp.add(confDir());
        cp.addAll(classpath);
        return cp;
    }

    /** Cassandra's own conf/jvm17-server.options, without which it dies within a second on JDK 17, plus our sizing. */
    private List<String> jvmOptions() {
        List<String> options = new ArrayList<>(List.of(
                "-Xss256k",
                "-Djdk.attach.allowAttachSelf=true",
                "-Dio.netty.tryReflectionSetAccessible=true",
                "-Dio.netty.allocator.useCacheForAllThreads=true",
                "-Dio.netty.allocator.maxOrder=11",
                "-Dcassandra.config=" + confDir().resolve("cassandra.yaml").toUri(),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.logdir=" + dataDir().resolve("logs"),
                "-Dcassandra.storagedir=" + dataDir(),
                "-Dcassandra.triggers_dir=" + dataDir().resolve("triggers"),
                "-Dlogback.configurationFile=" + confDir().resolve("logback.xml").toUri(),
                // A lone node has no gossip to settle; the default wait costs seconds per start.
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                // Nor peers to tell that it is stopping: the default announcement waits 2 s of every stop.
                "-Dcassandra.shutdown_announce_in_ms=0"));
        for (String export : List.of("java.base/jdk.internal.misc", "java.management.rmi/com.sun.jmx.remote.internal.rmi",
                "java.rmi/sun.rmi.registry", "java.rmi/sun.rmi.server", "java.sql/java.sql", "java.base/java.lang.ref",
                "jdk.unsupported/sun.misc", "jdk.compiler/com.sun.tools.javac.file", "jdk.attach/sun.tools.attach")) {
            options.add("--add-exports=" + export + "=ALL-UNNAMED");
        }
        for (String open : List.of("java.base/java.lang.module", "java.base/jdk.internal.loader",
                "java.base/jdk.internal.ref", "java.base/jdk.internal.reflect", "java.base/jdk.internal.math",
                "java.base/jdk.internal.module", "java.base/jdk.internal.util.jar",
                "jdk.management/com.sun.management.internal", "java.base/sun.nio.ch", "java.base/java.io",
                "java.base/java.lang.reflect", "java.base/java.lang", "java.base/java.util",
                "jdk.compiler/com.sun.tools.javac")) {
            options.add("--add-opens=" + open + "=ALL-UNNAMED");
        }
        return settings.jvmOptions(options);
    }

    private Path confDir() {
        return dataDir().resolve("conf");
    }

    private void requireStartedOnce() {
        if (nativePort == 0) {
            throw new IllegalStateException("CassandraNode not started yet: call start() first");
        }
    }

    /** Configuration of a {@link CassandraNode}; every setting has a default that suits tests. */
    public static final class Builder extends LauncherBuilder<Builder, CassandraNode> {
        private int nativePort;
        private int storagePort;
        private CommitlogSync commitlogSync = CommitlogSync.PERIODIC;
        private String clusterName = "herald";

        private Builder() {
            super("cassandra", "512m", Duration.ofSeconds(180));
        }

        /** CQL port; 0 (default) means a free port, reused on later starts with the same data directory. */
        public Builder nativePort(int nativePort) {
            this.nativePort = nativePort;
            return this;
        }

        /** Inter-node port; 0 (default) means a free port, reused on later starts with the same data directory. */
        public Builder storagePort(int storagePort) {
            this.storagePort = storagePort;
            return this;
        }

        /** Default {@link CommitlogSync#PERIODIC}; use {@link CommitlogSync#BATCH} where a test kills the node. */
        public Builder commitlogSync(CommitlogSync commitlogSync) {
            this.commitlogSync = Objects.requireNonNull(commitlogSync);
            return this;
        }

        /** Default {@code herald}. Must stay the same for a data directory: Cassandra refuses to start otherwise. */
        public Builder clusterName(String clusterName) {
            this.clusterName = Objects.requireNonNull(clusterName);
            return this;
        }

        @Override
        public CassandraNode build() {
            return new CassandraNode(this, settings());
        }
    }
}
