package io.herald.load.chaos;

import io.herald.load.report.TimelineSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the load got while a part was down, from the run's per-second timeline: the whole seconds of the offering
 * within the outage (second k covers (k-1, k] seconds after the offering started), and the frames offered, acks and
 * chat pushes in them.
 *
 * @param seconds whole seconds of the offering within the outage
 * @param offered frames offered in them
 * @param acked acks received in them
 * @param pushed chat messages pushed to other members in them
 */
record OutageWindow(int seconds, long offered, long acked, long pushed) {

  /**
   * @param downAtS when the part went down, seconds since the offering started
   * @param upAtS when it was back
   * @param offeringS how long the offering lasted: later seconds are the drain, without offers
   */
  static OutageWindow of(List<TimelineSample> timeline, double downAtS, double upAtS, double offeringS) {
    double end = Math.min(upAtS, offeringS);
    int seconds = 0;
    long offered = 0;
    long acked = 0;
    long pushed = 0;
    for (TimelineSample sample : timeline) {
      if (sample.second() - 1 >= downAtS && sample.second() <= end) {
        seconds++;
        offered += sample.sent();
        acked += sample.acked();
        pushed += sample.pushed();
      }
    }
    return new OutageWindow(seconds, offered, acked, pushed);
  }

  double ackedPerS() {
    return seconds == 0 ? 0 : (double) acked / seconds;
  }

  /**
   * What the outage did to the write path that it must not: acks below {@code ackRatio} of the frames offered, or no
   * chat push at all while chat was offered. An outage without one whole second of offering cannot be judged.
   */
  List<String> problems(double ackRatio, boolean chatOffered, String part) {
    var problems = new ArrayList<String>();
    if (seconds == 0) {
      problems.add(part + " was not down for one whole second of the offering: nothing to judge (fault too late, or"
          + " held too briefly)");
      return problems;
    }
    if (acked < ackRatio * offered) {
      problems.add(String.format(Locale.ROOT, "acks fell while %s was down: %d acked of %d offered in %d s (below %.0f %%)",
          part, acked, offered, seconds, ackRatio * 100));
    }
    if (chatOffered && pushed == 0) {
      problems.add("no chat push reached a member while " + part + " was down (" + seconds + " s)");
    }
    return problems;
  }
}
