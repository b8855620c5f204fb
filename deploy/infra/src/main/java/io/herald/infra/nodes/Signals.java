package io.herald.infra.nodes;

import java.io.IOException;

/** POSIX signals to a process of this machine (kill -NAME PID): TERM, KILL, STOP, CONT. */
public final class Signals {

  private Signals() {}

  /** True when the signal was delivered (the process exists and may be signalled). */
  public static boolean send(long pid, String signal) {
    try {
      return new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true).start()
          .waitFor() == 0;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
