package io.herald.infra.watch;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Entry point of every child JVM that herald-infra starts: {@code ParentWatch <mainClass> [args...]}.
 *
 * <p>A kill -9 of the launching JVM runs none of its shutdown hooks, so the broker or database it started would live
 * on, holding ports and data. This class watches the launcher and ends its own JVM once the launcher is gone, then
 * runs the real main class. It is put last on the child's classpath and must depend on nothing but the JDK.
 *
 * <p>The launcher is identified by the system properties {@value #PARENT_PID} and, so that a recycled pid is not
 * mistaken for the launcher, its start: {@value #PARENT_START_TICKS} (clock ticks after boot, from Linux's
 * {@code /proc}: exact, and independent of the wall clock) or else {@value #PARENT_START} (epoch milliseconds, within
 * a margin); without them the parent process at start-up is watched.
 */
public final class ParentWatch {

    public static final String PARENT_PID = "herald.parent.pid";
    public static final String PARENT_START = "herald.parent.start";
    public static final String PARENT_START_TICKS = "herald.parent.start-ticks";

    private static final long POLL_MILLIS = 1_000;
    // Long enough for Kafka or Cassandra to shut down cleanly (2-8 s measured), short enough to free ports soon.
    private static final long HALT_AFTER_MILLIS = 20_000;
    private static final long START_MARGIN_MILLIS = 30_000;

    private ParentWatch() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ParentWatch <mainClass> [args...]");
            System.exit(2);
        }
        Optional<ProcessHandle> parent = watchedParent();
        if (parent.isPresent()) {
            Long parentStart = Long.getLong(PARENT_START);
            Long parentStartTicks = Long.getLong(PARENT_START_TICKS);
            Thread watcher = new Thread(() -> watch(parent.get(), parentStart, parentStartTicks),
                    "herald-parent-watch");
            watcher.setDaemon(true);
            watcher.start();
        } else {
            System.err.println("[ParentWatch] no parent process found; this JVM will not stop with its launcher");
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Optional<ProcessHandle> watchedParent() {
        Long pid = Long.getLong(PARENT_PID);
        return pid != null ? ProcessHandle.of(pid) : ProcessHandle.current().parent();
    }

    private static void watch(ProcessHandle parent, Long expectedStartMillis, Long expectedStartTicks) {
        while (isSameProcessAlive(parent, expectedStartMillis, expectedStartTicks)) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.err.println("[ParentWatch] launcher pid " + parent.pid() + " is gone; shutting down");
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MILLIS);
            } catch (InterruptedException ignored) {
                // fall through to halt
            }
            System.err.println("[ParentWatch] clean shutdown took too long; halting");
            Runtime.getRuntime().halt(137);
        }, "herald-parent-watch-halt");
        halter.setDaemon(true);
        halter.start();
        // exit (not halt) first, so the broker/database shutdown hooks flush their data
        System.exit(143);
    }

    /**
     * The process's start in clock ticks after boot ({@code /proc/<pid>/stat}, field 22), which no change of the wall
     * clock moves; empty where there is no such file (not Linux) or the process is gone.
     */
    public static OptionalLong startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces or parentheses: count after the last.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(fields[22 - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static boolean isSameProcessAlive(ProcessHandle parent, Long expectedStartMillis, Long expectedStartTicks) {
        if (!parent.isAlive()) {
            return false;
        }
        if (expectedStartTicks != null) {
            OptionalLong ticks = startTicks(parent.pid());
            if (ticks.isPresent()) {
                return ticks.getAsLong() == expectedStartTicks;
            }
        }
        if (expectedStartMillis == null) {
            return true;
        }
        Optional<Instant> start = parent.info().startInstant();
        // Start times are boot time plus clock ticks, and each JVM reads the boot time once, from the wall clock: a clock
        // step between the launcher's read and this one shifts them apart (seen: a child that took its live launcher for
        // gone; a virtual machine's wall clock can jump when it is paused and resumed, by more than any margin, which is
        // why the ticks come first). A recycled pid would have to belong to a process started within this margin of the
        // launcher.
        return start.isEmpty() || Math.abs(start.get().toEpochMilli() - expectedStartMillis) < START_MARGIN_MILLIS;
    }
}
