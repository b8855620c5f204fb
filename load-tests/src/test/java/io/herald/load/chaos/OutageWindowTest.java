package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.report.TimelineSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the load got while a part was down, from hand-made timelines. */
class OutageWindowTest {

  /** Seconds 1..n, each offering 100 frames, acking {@code acked} and pushing {@code pushed}. */
  private static List<TimelineSample> timeline(int seconds, long acked, long pushed) {
    var samples = new ArrayList<TimelineSample>();
    for (int second = 1; second <= seconds; second++) {
      samples.add(new TimelineSample(second, 100, acked, 0, 5, 10, pushed));
    }
    return samples;
  }

  @Test
  void countsTheWholeSecondsWithinTheOutage() {
    // Down at 10.3 s, back at 20.6 s: seconds 12..20 cover (11, 20], wholly inside; 11 covers (10, 11], not.
    var window = OutageWindow.of(timeline(40, 100, 40), 10.3, 20.6, 40);
    assertEquals(9, window.seconds());
    assertEquals(900, window.offered());
    assertEquals(900, window.acked());
    assertEquals(360, window.pushed());
    assertEquals(100, window.ackedPerS());
    assertEquals(List.of(), window.problems(0.9, true, "Solr"));
  }

  @Test
  void stopsAtTheEndOfTheOffering() {
    // Back only after the offering's 15 s: the drain's seconds have no offers to judge.
    var window = OutageWindow.of(timeline(40, 100, 40), 10, 35, 15);
    assertEquals(5, window.seconds(), "seconds 11..15");
  }

  @Test
  void acksBelowTheRatioAreAProblem() {
    var problems = OutageWindow.of(timeline(40, 80, 40), 10, 20, 40).problems(0.9, true, "Solr");
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("800 acked of 1000 offered in 10 s"), problems.get(0));
  }

  @Test
  void noPushWhileChatWasOfferedIsAProblem() {
    var window = OutageWindow.of(timeline(40, 100, 0), 10, 20, 40);
    assertEquals(1, window.problems(0.9, true, "Solr").size());
    assertEquals(List.of(), window.problems(0.9, false, "Solr"), "telemetry only: no push expected");
  }

  @Test
  void anOutageWithoutAWholeSecondCannotBeJudged() {
    var window = OutageWindow.of(timeline(40, 100, 40), 10.2, 10.9, 40);
    assertEquals(0, window.seconds());
    var problems = window.problems(0.9, true, "Solr");
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("nothing to judge"), problems.get(0));
  }
}
