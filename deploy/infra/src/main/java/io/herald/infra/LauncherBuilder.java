package io.herald.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings every launcher of a child JVM shares ({@link KafkaCluster}, {@link CassandraNode},
 * {@link io.herald.infra.solr.SolrNode}); each launcher's builder adds its own and states its defaults in its class
 * documentation where they differ from the ones here.
 *
 * @param <B> the launcher's own builder, which every setter returns
 * @param <L> the launcher it builds
 */
public abstract class LauncherBuilder<B extends LauncherBuilder<B, L>, L extends ChildLauncher> {

    private final String name;
    private Path dataDir;
    private String host = "127.0.0.1";
    private String heap;
    private boolean quickStartJit = true;
    private final List<String> jvmOptions = new ArrayList<>();
    private Duration startTimeout;
    private Duration stopTimeout = Duration.ofSeconds(30);

    /**
     * @param name                short name of what runs, e.g. {@code kafka}; a temporary data directory is named
     *                            {@code herald-<name>-...}
     * @param defaultHeap         default of {@link #heap}
     * @param defaultStartTimeout default of {@link #startTimeout}
     */
    protected LauncherBuilder(String name, String defaultHeap, Duration defaultStartTimeout) {
        this.name = Objects.requireNonNull(name);
        this.heap = Objects.requireNonNull(defaultHeap);
        this.startTimeout = Objects.requireNonNull(defaultStartTimeout);
    }

    /**
     * Where configuration, data, logs and pid files go. Default: a new temporary directory, deleted on close. Ports
     * chosen at first start are recorded there and reused.
     */
    public B dataDir(Path dataDir) {
        this.dataDir = Objects.requireNonNull(dataDir);
        return self();
    }

    /**
     * The address of this machine the process listens on (and advertises). Default 127.0.0.1; another local address
     * lets processes in a network namespace of their own reach it (the chaos harness's node-partition).
     */
    public B host(String host) {
        this.host = Objects.requireNonNull(host);
        return self();
    }

    /** Maximum heap of each child JVM, as for {@code -Xmx}. Default: see the launcher. */
    public B heap(String heap) {
        this.heap = Objects.requireNonNull(heap);
        return self();
    }

    /**
     * Whether the child JVMs run with the C1 compiler only ({@code -XX:TieredStopAtLevel=1}). Default true: a much
     * faster start; turn it off for throughput measurements.
     */
    public B quickStartJit(boolean quickStartJit) {
        this.quickStartJit = quickStartJit;
        return self();
    }

    /** Extra JVM options for the child JVMs, appended after (and so overriding) the launcher's own. */
    public B jvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
        return self();
    }

    /** How long a start may take before it fails. Default: see the launcher. */
    public B startTimeout(Duration startTimeout) {
        this.startTimeout = Objects.requireNonNull(startTimeout);
        return self();
    }

    /** How long a SIGTERM stop may take before the process is killed. Default 30 s. */
    public B stopTimeout(Duration stopTimeout) {
        this.stopTimeout = Objects.requireNonNull(stopTimeout);
        return self();
    }

    /** A launcher with these settings, not started yet. */
    public abstract L build();

    /** {@link #build()} and {@link ChildLauncher#start()}. */
    public L start() {
        L launcher = build();
        launcher.start();
        return launcher;
    }

    /** The settings as they are now; creates the temporary data directory if none was given. */
    protected LauncherSettings settings() {
        boolean temporary = dataDir == null;
        Path dir = temporary ? createTempDir() : dataDir.toAbsolutePath();
        return new LauncherSettings(dir, temporary, host, heap, quickStartJit, jvmOptions, startTimeout, stopTimeout);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    private Path createTempDir() {
        try {
            return Files.createTempDirectory("herald-" + name + "-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
