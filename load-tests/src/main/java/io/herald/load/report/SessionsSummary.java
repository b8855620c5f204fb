package io.herald.load.report;

import java.util.List;
import java.util.Optional;

/**
 * What a {@code sessions} run measured (load-tests/README.md, "Sessions").
 *
 * @param closedWhileHeld sessions the server closed between their welcome and the end of the hold
 * @param closedAfterHold sessions the server closed during the traffic, before the run closed them
 * @param connectSeconds from the first connection started until every session was welcomed or had failed
 * @param connectRatePerSecond sessions opened ÷ {@code connectSeconds}
 * @param node the node's memory and CPU, when measured
 * @param loadAverageBefore the machine's 1-, 5- and 15-minute load averages before the run
 */
public record SessionsSummary(
    int sessionsTarget,
    int processes,
    double connectRateTarget,
    long opened,
    long failed,
    long closedWhileHeld,
    long closedAfterHold,
    double connectSeconds,
    double connectRatePerSecond,
    LatencyMs connectLatency,
    double heldSeconds,
    double heartbeatIntervalSeconds,
    long heartbeatsSent,
    long heartbeatsAcked,
    long heartbeatsNacked,
    long pushes,
    int sample,
    double trafficRateTarget,
    double trafficSeconds,
    long trafficSent,
    long trafficAcked,
    long trafficNacked,
    LatencyMs trafficLatency,
    Optional<Node> node,
    String loadAverageBefore,
    String loadAverageAfter,
    List<Second> timeline) {

  /**
   * The node process, when measured: its heap after a full GC and its resident size (bytes) before the sessions
   * connected and at the end of the hold, with {@code openSessions} open then; its CPU time during the connect phase
   * and during the second half of the hold ({@code steadySeconds} long, when every session's first heartbeat is
   * behind), in seconds of CPU.
   */
  public record Node(long heapBefore, long heapHeld, long residentBefore, long residentHeld, long openSessions,
      double connectCpuSeconds, double holdCpuSeconds, double steadySeconds) {

    public long heapPerSession() {
      return openSessions == 0 ? 0 : (heapHeld - heapBefore) / openSessions;
    }

    public long residentPerSession() {
      return openSessions == 0 ? 0 : (residentHeld - residentBefore) / openSessions;
    }
  }

  /** Totals at one second of the run (since the workers started). */
  public record Second(int second, long opened, long failed, long closed, long open, long heartbeatsAcked,
      long trafficAcked) {}

  /** Node CPU time per session opened in the connect phase, in milliseconds (0 when not measured). */
  public double cpuPerConnectMs() {
    return node.map(n -> opened == 0 ? 0 : n.connectCpuSeconds() * 1000 / opened).orElse(0.0);
  }

  /** The node's CPU use in the second half of the hold, in cores (0 when not measured). */
  public double holdCpuShare() {
    return node.map(n -> n.steadySeconds() == 0 ? 0 : n.holdCpuSeconds() / n.steadySeconds()).orElse(0.0);
  }

  /** Every session opened, none failed or was closed by the server, every traffic frame acked. */
  public boolean held() {
    return opened == sessionsTarget && failed == 0 && closedWhileHeld == 0 && closedAfterHold == 0
        && trafficAcked == trafficSent;
  }

  public String oneLine() {
    return "sessions " + opened + " of " + sessionsTarget + " opened (" + failed + " failed) in "
        + Json.number(connectSeconds) + " s, " + Json.number(connectRatePerSecond) + "/s; closed by the server while "
        + "held " + closedWhileHeld + "; heartbeats acked " + heartbeatsAcked + " of " + heartbeatsSent
        + "; traffic acked " + trafficAcked + " of " + trafficSent
        + node.map(n -> "; node heap " + n.heapPerSession() + " B, RSS " + n.residentPerSession()
            + " B per session, CPU " + Json.number(cpuPerConnectMs()) + " ms per connect, "
            + Json.number(holdCpuShare() * 100) + " % of a core in the second half of the hold").orElse("")
        + (held() ? " | held" : " | NOT held");
  }
}
