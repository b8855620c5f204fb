package io.herald.load.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU time a Herald node process has used so far (user + system, its threads included), from Linux's
 * {@code /proc/PID/stat}. Kafka and Cassandra are processes of their own and are not counted.
 */
public final class NodeCpu {

  /**
   * {@code utime} and {@code stime} count clock ticks of USER_HZ, which the kernel fixes at 100 per second for
   * user space on every architecture this runs on ({@code getconf CLK_TCK}).
   */
  static final int TICKS_PER_SECOND = 100;

  private final long pid;
  private final Path stat;

  private NodeCpu(long pid) {
    this.pid = pid;
    this.stat = Path.of("/proc", Long.toString(pid), "stat");
  }

  /**
   * The node process {@code pid}, read once now so a wrong pid fails before the run rather than after it.
   *
   * @throws NodeProcessException when there is no such process to read
   */
  public static NodeCpu of(long pid) {
    if (pid < 1) {
      throw new IllegalArgumentException("--node-pid must be a process id >= 1, got " + pid);
    }
    var cpu = new NodeCpu(pid);
    cpu.cpuMillis();
    return cpu;
  }

  public long pid() {
    return pid;
  }

  /** User + system CPU time of the process so far, in milliseconds (10 ms resolution). */
  public long cpuMillis() {
    try {
      return cpuTicks(Files.readString(stat, StandardCharsets.US_ASCII)) * 1000 / TICKS_PER_SECOND;
    } catch (IOException e) {
      throw new NodeProcessException("cannot read the node's CPU time from " + stat + " (is --node-pid " + pid
          + " the node, still running, and yours?): " + e.getMessage(), e);
    }
  }

  /**
   * CPU time so far of the node's JIT compiler threads (HotSpot's C1 and C2 compiler threads), in milliseconds: the
   * part of {@link #cpuMillis()} that is the JVM compiling its hot code, which goes on for minutes after a start on a
   * shared 2-core machine (docs/performance.md, section 11), rather than work per frame. A compiler thread that
   * HotSpot has stopped meanwhile no longer counts, so this is a lower bound.
   */
  public long compilerMillis() {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    long ticks = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          List<String> name = Files.readAllLines(thread.resolve("comm"), StandardCharsets.US_ASCII);
          if (!name.isEmpty() && isCompilerThread(name.get(0))) {
            ticks += cpuTicks(Files.readAllLines(thread.resolve("stat"), StandardCharsets.US_ASCII).get(0));
          }
        } catch (IOException threadEnded) {
          // The thread ended between the listing and the read: its time is no longer the process's to count here.
        }
      }
    } catch (IOException e) {
      throw new NodeProcessException("cannot read the node's threads from " + tasks + ": " + e.getMessage(), e);
    }
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** Whether a thread's name as Linux keeps it (15 characters) is one of HotSpot's compiler threads. */
  static boolean isCompilerThread(String comm) {
    return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
  }

  /**
   * utime + stime (fields 14 and 15) of a {@code /proc/PID/stat} line. Field 2, the command name in parentheses, may
   * itself hold spaces and parentheses, so the fields are counted from the last {@code ')'}.
   */
  static long cpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
    }
    String[] fields = statLine.substring(close + 1).strip().split(" +");
    // fields[0] is field 3 (the state), so field n is fields[n - 3].
    if (fields.length < 13) {
      throw new IllegalArgumentException("a /proc/PID/stat line with too few fields: " + statLine);
    }
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * Milliseconds of node CPU per frame, to the microsecond; {@code null} when no frame was acked (nothing to divide
   * by: the figure is unknown, not zero).
   */
  public static Double perFrame(long cpuMillis, long frames) {
    if (frames <= 0) {
      return null;
    }
    return Math.round(cpuMillis * 1000.0 / frames) / 1000.0;
  }
}
