package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.load.report.TimelineSample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** recovery_s as load-tests/README.md defines it, on hand-made timelines. */
class RecoveryTest {

  @Test
  void endsWithTheFirstSecondAckedAtTheOfferedRateAfterTheInjection() {
    var timeline = List.of(second(1, 40, 40), second(2, 40, 20), second(3, 40, 0), second(4, 40, 10),
        second(5, 40, 80), second(6, 40, 40));
    // Struck at 1.5 s: seconds 2-4 fall short of 90 % of 40, second 5 (ends at 5 s) has the backlog and more.
    assertEquals(3.5, Recovery.seconds(timeline, 1.5, 6.2));
  }

  @Test
  void aFaultThatNeverDentedTheAcksMeasuresAtMostOneSecond() {
    var timeline = List.of(second(1, 40, 40), second(2, 40, 39), second(3, 40, 40));
    assertEquals(0.3, Recovery.seconds(timeline, 1.7, 3.1));
  }

  @Test
  void withoutASecondAtTheOfferedRateItRunsUntilTheLastAck() {
    // Offered for 3 s, acks short throughout; the drain (nothing offered) does not count as recovered.
    var timeline = List.of(second(1, 40, 10), second(2, 40, 0), second(3, 40, 5), second(4, 0, 60), second(5, 0, 0));
    assertEquals(3.9, Recovery.seconds(timeline, 0.5, 4.4));
  }

  private static TimelineSample second(int second, long sent, long acked) {
    return new TimelineSample(second, sent, acked, 0, 5, 10);
  }
}
