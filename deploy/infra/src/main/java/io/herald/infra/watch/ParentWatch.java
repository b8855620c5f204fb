package io.herald.infra.watch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of every child JVM that herald-infra starts: {@code ParentWatch <mainClass> [args...]}.
 *
 * <p>A kill -9 of the launching JVM runs none of its shutdown hooks, so the broker or database it started would live
 * on, holding ports and data. This class watches the launcher and ends its own JVM once the launcher is gone, then
 * runs the real main class. It is put last on the child's classpath and must depend on nothing but the JDK.
 *
 * <p>The launcher is identified by the system properties {@value #PARENT_PID} and {@value #PARENT_START} (start time
 * in epoch milliseconds, so that a recycled pid is not mistaken for the launcher); without them the parent process
 * at start-up is watched.
 */
public final class ParentWatch {

    public static final String PARENT_PID = "herald.parent.pid";
    public static final String PARENT_START = "herald.parent.start";

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
            Thread watcher = new Thread(() -> watch(parent.get(), parentStart), "herald-parent-watch");
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

    private static void watch(ProcessHandle parent, Long expectedStartMillis) {
        while (isSameProcessAlive(parent, expectedStartMillis)) {
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

    private static boolean isSameProcessAlive(ProcessHandle parent, Long expectedStartMillis) {
        if (!parent.isAlive()) {
            return false;
        }
        if (expectedStartMillis == null) {
            return true;
        }
        Optional<Instant> start = parent.info().startInstant();
        // Start times are boot time plus clock ticks, and each JVM reads the boot time once, from the wall clock: a clock
        // step between the launcher's read and this one shifts them apart (seen: a child that took its live launcher for
        // gone). A recycled pid would have to belong to a process started within this margin of the launcher.
        return start.isEmpty() || Math.abs(start.get().toEpochMilli() - expectedStartMillis) < START_MARGIN_MILLIS;
    }
}
