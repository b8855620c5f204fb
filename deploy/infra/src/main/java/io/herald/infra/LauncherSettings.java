package io.herald.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every launcher of a child JVM is configured with ({@link LauncherBuilder}), fixed when it is built.
 *
 * @param dataDir           absolute; the one given, or a new temporary directory
 * @param deleteDataOnClose whether {@code dataDir} is a temporary one, deleted on close
 * @param extraJvmOptions   appended after the launcher's own options
 * @param stopTimeout       how long a SIGTERM stop may take before the process is killed
 */
public record LauncherSettings(Path dataDir, boolean deleteDataOnClose, String host, String heap,
        boolean quickStartJit, List<String> extraJvmOptions, Duration startTimeout, Duration stopTimeout) {

    public LauncherSettings {
        extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** {@link #jvmOptions(String, List)} with the configured heap. */
    public List<String> jvmOptions(List<String> launcherOptions) {
        return jvmOptions(heap, launcherOptions);
    }

    /**
     * The command-line options of a child JVM: the heap and what every child runs with, the launcher's own options,
     * C1 only if {@link #quickStartJit}, and last (so that they win) the extra options.
     */
    public List<String> jvmOptions(String heapSize, List<String> launcherOptions) {
        List<String> options = new ArrayList<>(List.of(
                "-Xmx" + heapSize,
                "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.net.preferIPv4Stack=true"));
        options.addAll(launcherOptions);
        if (quickStartJit) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        options.addAll(extraJvmOptions);
        return options;
    }

    /** On close: deletes the data directory if it is a temporary one, and says whether it did. */
    public boolean deleteTemporaryData() {
        if (deleteDataOnClose) {
            Directories.deleteRecursively(dataDir);
        }
        return deleteDataOnClose;
    }
}
