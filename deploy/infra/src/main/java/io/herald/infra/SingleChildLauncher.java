package io.herald.infra;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A launcher of one child JVM ({@link CassandraNode}, {@link io.herald.infra.solr.SolrNode}): its log and pid file are
 * named after it in the data directory, and it starts, stops and is killed as a whole.
 */
public abstract class SingleChildLauncher extends ChildLauncher {

    private final String name;
    // Taken under the lifecycle lock: a stop or kill waits for a start under way.
    private final ChildSlot running = new ChildSlot(lifecycle);

    /** @param name names the child in messages and its files, e.g. {@code cassandra}: {@code cassandra.log} */
    protected SingleChildLauncher(String name, LauncherSettings settings) {
        super(settings);
        this.name = name;
    }

    /**
     * Starts the child (again, on the same ports and data) and waits until it is ready. Does nothing if it runs.
     * Throws {@link InfraStartException} with the tail of its {@link #logFile()} on failure.
     */
    public void start() {
        synchronized (lifecycle) {
            if (running.isRunning()) {
                return;
            }
            long t0 = System.nanoTime();
            prepareOnce();
            launch(running);
            logReady((System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The pid of the child JVM, if it runs. */
    public OptionalLong pid() {
        return running.pid();
    }

    /** Where the pid is recorded while the child runs. */
    public Path pidFile() {
        return dataDir().resolve(name + ".pid");
    }

    /** The child's log and the JVM's own output, appended run after run. */
    public Path logFile() {
        return dataDir().resolve(name + ".log");
    }

    /** SIGTERM, waits up to the stop timeout, then kills. */
    public void stop() {
        running.stop(settings.stopTimeout());
    }

    /** SIGKILL. */
    public void kill() {
        running.kill();
    }

    @Override
    protected final void stopAll() {
        stop();
    }

    /** What to run: a JVM in the data directory, with this launcher's log and pid file. */
    protected ChildProcess.Spec spec(List<String> jvmOptions, List<Path> classpath, String mainClass,
            List<String> args) {
        return new ChildProcess.Spec(name, jvmOptions, classpath, mainClass, args, dataDir(), logFile(), pidFile());
    }

    /** Launches the child into {@code slot} and waits until it is ready ({@link ChildSlot#launch}). */
    protected abstract void launch(ChildSlot slot);

    /** Says that the child is ready, {@code millis} after the start began. */
    protected abstract void logReady(long millis);
}
