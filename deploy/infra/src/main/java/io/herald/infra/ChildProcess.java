package io.herald.infra;

import io.herald.infra.watch.ParentWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM started by this library: launched through {@link ParentWatch} so that it dies with its launcher,
 * output appended to a log file, pid recorded in a pid file until it is stopped.
 */
public final class ChildProcess {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Duration STOP_ON_EXIT_GRACE = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 60;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::stopAllOnExit, "herald-infra-children-stop"));
    }

    /**
     * What to run.
     *
     * @param name       short name used in file names and messages, e.g. {@code kafka-0}
     * @param pidFile    where to record the pid while it runs; {@code null} for short-lived tools
     */
    public record Spec(String name, List<String> jvmOptions, List<Path> classpath, String mainClass, List<String> args,
                Path workDir, Path logFile, Path pidFile) {
    }

    private final Spec spec;
    private final Process process;
    private final long logOffset;

    private ChildProcess(Spec spec, Process process, long logOffset) {
        this.spec = spec;
        this.process = process;
        this.logOffset = logOffset;
    }

    public static ChildProcess launch(Spec spec) {
        try {
            Files.createDirectories(spec.workDir());
            Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
            if (spec.pidFile() != null) {
                reapStale(spec.pidFile());
            }
            List<String> command = command(spec);
            long offset = Files.exists(spec.logFile()) ? Files.size(spec.logFile()) : 0;
            // Restarts append to the same log; a banner separates the runs for whoever reads it.
            Files.writeString(spec.logFile(), "\n===== herald-infra " + Instant.now() + " starting " + spec.name()
                    + ": " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .directory(spec.workDir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
                    .start();
            process.getOutputStream().close(); // neither Kafka nor Cassandra reads stdin
            ChildProcess child = new ChildProcess(spec, process, offset);
            RUNNING.add(child);
            if (spec.pidFile() != null) {
                try {
                    child.writePidFile();
                } catch (RuntimeException e) {
                    child.kill(); // untracked, it could not be reaped later
                    throw e;
                }
            }
            log.debug("started {} pid {}", spec.name(), process.pid());
            return child;
        } catch (IOException e) {
            throw new InfraStartException("could not launch " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    /** Runs a short-lived tool to completion; throws with its log tail if it fails or takes longer than timeout. */
    static void runToCompletion(Spec spec, Duration timeout) {
        ChildProcess child = launch(spec);
        try {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.kill();
                throw new InfraStartException(spec.name() + " did not finish within " + timeout + child.logTail());
            }
            int exit = child.process.exitValue();
            if (exit != 0) {
                throw new InfraStartException(spec.name() + " failed with exit code " + exit + child.logTail());
            }
        } catch (InterruptedException e) {
            child.kill();
            Thread.currentThread().interrupt();
            throw new InfraStartException("interrupted while running " + spec.name(), e);
        } finally {
            RUNNING.remove(child);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Polls {@code ready} until it holds; fails fast if the process exits, and kills it on timeout or interrupt.
     */
    public void awaitReady(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (!process.isAlive()) {
                    RUNNING.remove(this);
                    deletePidFile();
                    throw new InfraStartException(spec.name() + " exited with code " + process.exitValue()
                            + " before " + what + logTail());
                }
                if (ready.getAsBoolean()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new InfraStartException(spec.name() + " was not " + what + " within " + timeout
                            + " (raise the start timeout if the machine is busy)" + logTail());
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new InfraStartException("interrupted while waiting for " + spec.name(), e);
        }
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns once the process is gone. */
    public synchronized void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            if (!waitForExit(grace)) {
                log.warn("{} (pid {}) did not stop within {}; killing it", spec.name(), pid(), grace);
                process.destroyForcibly();
                waitForExit(Duration.ofSeconds(30));
            }
        }
        RUNNING.remove(this);
        deletePidFile();
    }

    /** SIGKILL. Returns once the process is gone. */
    public synchronized void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
        RUNNING.remove(this);
        deletePidFile();
    }

    private boolean waitForExit(Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Whether the output of this run (not earlier runs appended to the same file) contains {@code text}. */
    boolean logContains(String text) {
        try {
            return new String(readLogFrom(logOffset), StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of this run's output, formatted for an exception message. */
    public String logTail() {
        try {
            String[] lines = new String(readLogFrom(logOffset), StandardCharsets.UTF_8).split("\n");
            String tail = Arrays.stream(lines, Math.max(0, lines.length - LOG_TAIL_LINES), lines.length)
                    .collect(Collectors.joining("\n"));
            return "\n--- last lines of " + spec.logFile() + " ---\n" + tail;
        } catch (IOException e) {
            return "\n(log " + spec.logFile() + " unreadable: " + e.getMessage() + ")";
        }
    }

    private byte[] readLogFrom(long offset) throws IOException {
        try (InputStream in = Files.newInputStream(spec.logFile())) {
            in.skipNBytes(Math.min(offset, Files.size(spec.logFile())));
            return in.readAllBytes();
        }
    }

    // --- command line ---

    /** util-linux's setsid, where there is one: it starts the program in a new session (and process group). */
    private static final Optional<Path> SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid")
            .map(Path::of).filter(Files::isExecutable).findFirst();

    private static List<String> command(Spec spec) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        List<String> command = new ArrayList<>();
        // A session of its own: Ctrl-C in a terminal signals the whole foreground process group, and Kafka and
        // Cassandra must not stop before the node that uses them has drained and committed. The launcher stops them
        // itself, after the node (herald up, herald cluster); ParentWatch stops them if the launcher dies.
        SETSID.ifPresent(setsid -> command.add(setsid.toString()));
        command.add(javaExecutable());
        command.addAll(spec.jvmOptions());
        command.add("-D" + ParentWatch.PARENT_PID + "=" + self.pid());
        self.info().startInstant().ifPresent(start ->
                command.add("-D" + ParentWatch.PARENT_START + "=" + start.toEpochMilli()));
        ParentWatch.startTicks(self.pid()).ifPresent(ticks ->
                command.add("-D" + ParentWatch.PARENT_START_TICKS + "=" + ticks));
        // An argument file keeps a classpath of ~100 jars out of `ps` output.
        List<Path> classpath = new ArrayList<>(spec.classpath());
        classpath.add(parentWatchLocation()); // last: it must never shadow a class of the real program
        Path argFile = spec.workDir().resolve(spec.name() + ".classpath-args");
        String joined = classpath.stream().map(p -> p.toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator));
        writeAtomically(argFile, "-cp \"" + joined.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
        command.add("@" + argFile.toAbsolutePath());
        command.add(ParentWatch.class.getName());
        command.add(spec.mainClass());
        command.addAll(spec.args());
        return command;
    }

    /**
     * The java to run children with: {@code -Dherald.java} or {@code HERALD_JAVA} if set (Cassandra 5.0 needs JDK 17
     * and fails on JDK 25), else the JDK running this JVM.
     */
    public static String javaExecutable() {
        String configured = Optional.ofNullable(System.getProperty("herald.java"))
                .orElse(System.getenv("HERALD_JAVA"));
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path parentWatchLocation() {
        try {
            return Path.of(ParentWatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot locate the jar or directory holding " + ParentWatch.class, e);
        }
    }

    // --- pid files and stale children ---

    private void writePidFile() {
        Properties props = new Properties();
        props.setProperty("name", spec.name());
        props.setProperty("pid", Long.toString(process.pid()));
        process.info().startInstant().ifPresent(s -> props.setProperty("start", Long.toString(s.toEpochMilli())));
        ProcessHandle self = ProcessHandle.current();
        props.setProperty("parentPid", Long.toString(self.pid()));
        self.info().startInstant().ifPresent(s -> props.setProperty("parentStart", Long.toString(s.toEpochMilli())));
        try (var out = new java.io.StringWriter()) {
            props.store(out, "child JVM started by herald-infra");
            writeAtomically(spec.pidFile(), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deletePidFile() {
        if (spec.pidFile() != null) {
            try {
                Files.deleteIfExists(spec.pidFile());
            } catch (IOException e) {
                log.warn("could not delete {}: {}", spec.pidFile(), e.toString());
            }
        }
    }

    /** The pid recorded in a pid file, if that process is still the one this library started. */
    static Optional<ProcessHandle> recordedChild(Path pidFile) {
        return readPidFile(pidFile).flatMap(p -> sameProcess(p, "pid", "start"))
                .filter(h -> h.info().commandLine().map(c -> c.contains(ParentWatch.class.getName())).orElse(true));
    }

    /**
     * A child recorded in {@code pidFile} whose launcher is gone is stopped; one whose launcher still runs means
     * the data directory is in use, which is an error. Only processes matching the recorded pid, start time and
     * ParentWatch command line are touched.
     */
    public static void reapStale(Path pidFile) {
        Optional<Properties> recorded = readPidFile(pidFile);
        if (recorded.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> child = recordedChild(pidFile);
        if (child.isPresent()) {
            Optional<ProcessHandle> launcher = sameProcess(recorded.get(), "parentPid", "parentStart");
            boolean launcherIsOtherLiveProcess = launcher.isPresent()
                    && launcher.get().pid() != ProcessHandle.current().pid();
            if (launcherIsOtherLiveProcess) {
                throw new InfraStartException("pid " + child.get().pid() + " recorded in " + pidFile
                        + " still runs for launcher pid " + launcher.get().pid()
                        + ": its data directory is in use by another process");
            }
            log.warn("stopping stale child pid {} recorded in {} (its launcher is gone)", child.get().pid(), pidFile);
            child.get().destroy();
            try {
                child.get().onExit().get(STOP_ON_EXIT_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                child.get().destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.get().destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Properties> readPidFile(Path pidFile) {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (var reader = Files.newBufferedReader(pidFile)) {
            props.load(reader);
            return Optional.of(props);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("ignoring unreadable pid file {}: {}", pidFile, e.toString());
            return Optional.empty();
        }
    }

    private static Optional<ProcessHandle> sameProcess(Properties props, String pidKey, String startKey) {
        String pid = props.getProperty(pidKey);
        if (pid == null) {
            return Optional.empty();
        }
        String start = props.getProperty(startKey);
        return ProcessHandle.of(Long.parseLong(pid.trim()))
                .filter(ProcessHandle::isAlive)
                .filter(h -> start == null || h.info().startInstant()
                        .map(s -> Math.abs(s.toEpochMilli() - Long.parseLong(start.trim())) < 1_000)
                        .orElse(true));
    }

    public static void writeAtomically(Path target, String content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void stopAllOnExit() {
        ExitOrder.runFirstTasks();
        List<Thread> stoppers = new ArrayList<>();
        for (ChildProcess child : RUNNING) {
            Thread t = new Thread(() -> child.stop(STOP_ON_EXIT_GRACE), "herald-stop-" + child.spec.name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
