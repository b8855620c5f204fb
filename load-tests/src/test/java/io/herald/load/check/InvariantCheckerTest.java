package io.herald.load.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker on doctored logs: each broken invariant is caught and counted, and a clean log gives zeros. */
class InvariantCheckerTest {

  private static final List<String> SENT = List.of("m1", "m2", "m3", "m4", "m5");

  @Test
  void aCleanRunHasZeros() {
    var result = InvariantChecker.check(new CheckInput(
        Map.of("d1", AckedMessage.oneAtATime(SENT), "d2", AckedMessage.oneAtATime(List.of("x1", "x2"))),
        Map.of("d1", SENT, "d2", List.of("x1", "x2")),
        Map.of("u1/d1", new PushStream(0, List.of(1L, 2L, 3L)))));

    assertTrue(result.clean(), result.toString());
    assertEquals(7, result.acked());
    assertEquals(7, result.applied());
    assertEquals(0, result.lost());
    assertEquals(0, result.duplicates());
    assertEquals(0, result.outOfOrder());
    assertEquals(0, result.pushGaps());
    assertEquals(0, result.pushDuplicates());
    assertEquals(3, result.pushesReceived());
    assertEquals(List.of(), result.findings());
  }

  @Test
  void anAckedMessageMissingFromTheJournalIsLost() {
    var result = check(List.of("m1", "m2", "m4", "m5"));

    assertEquals(1, result.lost());
    assertEquals(0, result.duplicates());
    assertEquals(0, result.outOfOrder());
    assertEquals(List.of(new Finding(Finding.Kind.LOST, "d1", "m3")), result.findings());
  }

  @Test
  void aMessageAppliedTwiceIsADuplicate() {
    var result = check(List.of("m1", "m2", "m3", "m3", "m4", "m5"));

    assertEquals(1, result.duplicates());
    assertEquals(0, result.lost());
    assertEquals(0, result.outOfOrder());
    assertEquals(List.of(new Finding(Finding.Kind.DUPLICATE, "d1", "m3")), result.findings());
  }

  @Test
  void aDuplicateNamesEveryCopyWithItsWriterSequenceNumberAndTime() {
    var rows = new java.util.ArrayList<JournalEntry>();
    for (int i = 0; i < SENT.size(); i++) {
      rows.add(new JournalEntry(SENT.get(i), "Device|d1", i + 1, "writer-a", 1_000 + i, 0));
    }
    var zombieCopy = new JournalEntry("m3", "Device|d1", 6, "writer-b", 9_000, 0);
    rows.add(zombieCopy);

    var result = InvariantChecker.check(CheckInput.fromJournal(
        Map.of("d1", AckedMessage.oneAtATime(SENT)), Map.of("d1", rows), Map.of()));

    assertEquals(1, result.duplicates());
    assertEquals(List.of(new Finding(Finding.Kind.DUPLICATE, "d1", "m3", List.of(rows.get(2), zombieCopy))),
        result.findings());
  }

  @Test
  void messagesAppliedInAnotherOrderThanSentAreOutOfOrder() {
    var result = check(List.of("m1", "m3", "m2", "m4", "m5"));

    assertEquals(1, result.outOfOrder());
    assertEquals(0, result.lost());
    assertEquals(0, result.duplicates());
    assertEquals(List.of(new Finding(Finding.Kind.OUT_OF_ORDER, "d1", "m3")), result.findings());
  }

  @Test
  void pipelinedMessagesOnTheirFirstAttemptMustKeepTheirSendOrder() {
    // Both went out before either was acked, each on its only attempt: one connection, so Kafka has them in order.
    var pipelined = List.of(new AckedMessage("a", 1, 1, 1, 3), new AckedMessage("b", 1, 2, 2, 4));

    var result = InvariantChecker.check(new CheckInput(
        Map.of("d1", pipelined), Map.of("d1", List.of("b", "a")), Map.of()));

    assertEquals(1, result.outOfOrder());
  }

  @Test
  void aResentMessageMayLandAfterOneSentLaterWhileItWasInFlight() {
    // "a" timed out and was resent after "b" went out; its first copy may have been lost, so "b, a" is legitimate.
    var resent = List.of(new AckedMessage("a", 2, 1, 3, 5), new AckedMessage("b", 1, 2, 2, 4));

    var result = InvariantChecker.check(new CheckInput(
        Map.of("d1", resent), Map.of("d1", List.of("b", "a")), Map.of()));

    assertEquals(0, result.outOfOrder());
    assertTrue(result.clean());
  }

  @Test
  void aMissingPushSequenceIsAGapAndARepeatedOneADuplicate() {
    var result = InvariantChecker.check(new CheckInput(Map.of(), Map.of(),
        Map.of("u1/d1", new PushStream(0, List.of(1L, 2L, 4L, 5L, 5L)),
            "u2/d2", new PushStream(10, List.of(11L, 12L)))));

    assertEquals(1, result.pushGaps());
    assertEquals(1, result.pushDuplicates());
    assertEquals(7, result.pushesReceived());
    assertFalse(result.clean());
    assertEquals(List.of(new Finding(Finding.Kind.PUSH_DUPLICATE, "u1/d1", "5"),
        new Finding(Finding.Kind.PUSH_GAP, "u1/d1", "3")), result.findings());
  }

  @Test
  void aMessageAppliedWithoutAnAckIsAllowedAndCountedApart() {
    var result = InvariantChecker.check(new CheckInput(
        Map.of("d1", AckedMessage.oneAtATime(List.of("m1"))), Map.of("d1", List.of("m1", "never-acked")), Map.of()));

    assertTrue(result.clean());
    assertEquals(1, result.appliedNotAcked());
  }

  private static CheckResult check(List<String> applied) {
    return InvariantChecker.check(new CheckInput(
        Map.of("d1", AckedMessage.oneAtATime(SENT)), Map.of("d1", applied), Map.of()));
  }
}
