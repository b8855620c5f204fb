package io.herald.infra;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/** The child JVM a launcher runs in one place (a node, one broker of a cluster), while it runs. */
public final class ChildSlot {

    private final Object lock;
    private volatile ChildProcess child;

    /** A slot whose child is taken under its own lock. */
    public ChildSlot() {
        this.lock = this;
    }

    /** A slot whose child is taken under {@code lock}: a stop or kill waits for whatever holds it, e.g. a start. */
    public ChildSlot(Object lock) {
        this.lock = lock;
    }

    /** Whether a child runs here. */
    public boolean isRunning() {
        ChildProcess current = child;
        return current != null && current.isAlive();
    }

    /** The pid of the child, if it runs. */
    public OptionalLong pid() {
        ChildProcess current = child;
        return current != null && current.isAlive() ? OptionalLong.of(current.pid()) : OptionalLong.empty();
    }

    /**
     * Launches {@code spec} here and waits until {@code ready} holds ({@link ChildProcess#awaitReady}); on failure the
     * child is gone and the slot empty again.
     */
    public void launch(ChildProcess.Spec spec, String what, Duration timeout, BooleanSupplier ready) {
        ChildProcess launched = ChildProcess.launch(spec);
        synchronized (lock) {
            child = launched;
        }
        try {
            launched.awaitReady(what, timeout, ready);
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (child == launched) {
                    child = null;
                }
            }
            throw e;
        }
    }

    /** Empties the slot; the caller stops what it returns, if anything. */
    public ChildProcess take() {
        synchronized (lock) {
            ChildProcess taken = child;
            child = null;
            return taken;
        }
    }

    /** SIGTERM to the child, if any; waits up to {@code grace}, then kills it. */
    public void stop(Duration grace) {
        ChildProcess taken = take();
        if (taken != null) {
            taken.stop(grace);
        }
    }

    /** SIGKILL to the child, if any. */
    public void kill() {
        ChildProcess taken = take();
        if (taken != null) {
            taken.kill();
        }
    }
}
