package io.herald.load.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's load, for reports: a figure measured on a shared machine says how busy it was. */
public final class MachineLoad {

  private MachineLoad() {}

  /** The 1-, 5- and 15-minute load averages of this machine, as {@code uptime} shows them. */
  public static String average() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }
}
