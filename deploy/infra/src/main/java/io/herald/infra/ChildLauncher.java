package io.herald.infra;

import java.nio.file.Path;

/**
 * What the launchers of child JVMs ({@link KafkaCluster}, {@link CassandraNode}, {@link io.herald.infra.solr.SolrNode})
 * share beyond their {@link LauncherSettings}: starts and closes one at a time, the data directory prepared at the
 * first start (and again after a close deleted a temporary one).
 */
public abstract class ChildLauncher implements AutoCloseable {

    protected final LauncherSettings settings;
    /** Held for whole starts and closes. */
    protected final Object lifecycle = new Object();
    private boolean prepared;

    protected ChildLauncher(LauncherSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts what does not run (again, on the same ports and data) and waits until it is ready; throws {@link
     * InfraStartException} with the tail of the failing child's log on failure.
     */
    public abstract void start();

    /**
     * Starts the launchers side by side and waits until all are ready: their JVMs' start-ups overlap the waits for
     * each other's ports and logs, even on two cores (herald up: Kafka, Cassandra and Solr in about the time of the
     * slowest instead of the sum). The first failure is rethrown once every start has ended; the launchers that did
     * start keep running (their owner closes them, as after any start).
     */
    public static void startTogether(ChildLauncher... launchers) {
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<RuntimeException>();
        var threads = new java.util.ArrayList<Thread>();
        for (var launcher : launchers) {
            var thread = new Thread(() -> {
                try {
                    launcher.start();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "herald-infra-start-" + launcher.getClass().getSimpleName());
            thread.start();
            threads.add(thread);
        }
        for (var thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfraStartException("interrupted while starting " + threads.size() + " children", e);
            }
        }
        if (!failures.isEmpty()) {
            var first = failures.poll();
            failures.forEach(first::addSuppressed);
            throw first;
        }
    }

    /** The address of this machine the children listen on. */
    public String host() {
        return settings.host();
    }

    /** Where configuration, data, logs and pid files are. */
    public Path dataDir() {
        return settings.dataDir();
    }

    /**
     * Stops what runs (SIGTERM, waiting up to the stop timeout, then SIGKILL); the data stays unless no data directory
     * was given.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            stopAll();
            if (settings.deleteTemporaryData()) {
                prepared = false; // a later start begins afresh
            }
        }
    }

    /** At a start, with {@link #lifecycle} held: {@link #prepare()} unless done since the data directory was made. */
    protected final void prepareOnce() {
        if (!prepared) {
            prepare();
            prepared = true;
        }
    }

    /** Makes the data directory ready for a start: classpath, stale children, ports, configuration files. */
    protected abstract void prepare();

    /** Stops every child gracefully, as {@link #close()} describes; with {@link #lifecycle} held. */
    protected abstract void stopAll();
}
