package io.herald.load.chaos;

import io.herald.load.report.TimelineSample;
import java.util.List;

/**
 * recovery_s: the time from a fault's injection until acks resumed at the offered rate, from the per-second
 * timeline. Timeline second k covers (k-1, k] seconds after the offering started. Starting with the second in which
 * the fault struck, the first second in which frames were offered and at least {@link #ACK_RATIO} of that many were
 * acked ends the outage: recovery_s is its end minus the injection instant. A fault that never dented the acks thus
 * measures at most 1 s (the timeline's resolution). If no second of the offering qualifies, recovery_s runs until the
 * last ack came in (the end of the drain).
 */
public final class Recovery {

  /** Acks per second, as a share of the frames offered in that second, that count as "at the offered rate". */
  public static final double ACK_RATIO = 0.9;

  private Recovery() {}

  /**
   * @param injectedAtS when the fault struck, seconds since the offering started
   * @param drainedAtS when the last ack came in (or the drain bound passed), seconds since the offering started
   */
  public static double seconds(List<TimelineSample> timeline, double injectedAtS, double drainedAtS) {
    for (TimelineSample sample : timeline) {
      if (sample.second() <= injectedAtS || sample.sent() == 0) {
        continue;
      }
      if (sample.acked() >= ACK_RATIO * sample.sent()) {
        return round(sample.second() - injectedAtS);
      }
    }
    return round(Math.max(0, drainedAtS - injectedAtS));
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
