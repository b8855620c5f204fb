package io.herald.load.sessions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node process on this machine: its heap in use right after a full GC ({@code jcmd PID GC.run}, then {@code
 * GC.heap_info}), which is what live objects hold, its resident set ({@code VmRSS}), and the CPU time it has used.
 * Read before the sessions connect, after they connected and while they are held, to give the memory per idle
 * session, the CPU per connect and the CPU an idle session costs.
 */
final class NodeProcess {

  /** One reading; bytes. */
  record Reading(long heapUsedAfterGcBytes, long residentBytes) {}

  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
  private static final Pattern RESIDENT = Pattern.compile("VmRSS:\\s+(\\d+) kB");
  private static final long JCMD_TIMEOUT_S = 60;

  private final long pid;
  private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  // /proc/PID/stat counts CPU time in clock ticks, 100 per second on Linux.
  private static final double TICKS_PER_SECOND = 100.0;

  NodeProcess(long pid) {
    this.pid = pid;
  }

  Reading read() throws IOException {
    jcmd("GC.run");
    Matcher heap = HEAP_USED.matcher(jcmd("GC.heap_info"));
    Matcher resident = RESIDENT.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    if (!heap.find() || !resident.find()) {
      throw new IOException("cannot read the heap or resident size of process " + pid);
    }
    return new Reading(Long.parseLong(heap.group(1)) * 1024, Long.parseLong(resident.group(1)) * 1024);
  }

  /** User and system CPU time the process has used since it started. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  private String jcmd(String command) throws IOException {
    Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
        .redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("jcmd " + pid + " " + command + " failed: " + output.strip());
      }
      return output;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running jcmd", e);
    } finally {
      process.destroy();
    }
  }
}
