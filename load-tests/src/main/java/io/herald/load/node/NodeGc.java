package io.herald.load.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A full garbage collection of the node, asked with {@code jcmd PID GC.run} (the JDK's own tool, from the JDK that
 * runs this process), so a heap reading right after counts live objects only.
 *
 * <p>A full GC stops every thread of the node. Should the pause pass {@code herald.persistence.fence.max-pause}
 * ({@code auto}: 11.5 s for {@code herald up}; a large heap, or a machine so loaded the GC threads wait for a core),
 * the node fences itself and stops, as it must after any pause that long: point this only at a node a benchmark may
 * lose.
 */
public final class NodeGc {

  private static final long BOUND_SECONDS = 60;

  private NodeGc() {}

  /** Returns once the node's GC has run: the milliseconds {@code jcmd} took, the GC's pause within them. */
  public static long run(long pid) {
    long started = System.nanoTime();
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new NodeProcessException(jcmd + " " + pid + " GC.run did not end within " + BOUND_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new NodeProcessException(jcmd + " " + pid + " GC.run failed (exit " + process.exitValue()
            + "): is the pid the node's JVM, and yours?");
      }
      return (System.nanoTime() - started) / 1_000_000;
    } catch (IOException e) {
      throw new NodeProcessException("cannot run " + jcmd + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeProcessException("interrupted while the node collected garbage", e);
    }
  }
}
