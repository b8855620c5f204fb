package io.herald.load.check;

import java.util.List;

/**
 * What the invariant checker found. The counts are exact; {@code findings} holds examples (at most {@link
 * InvariantChecker#MAX_FINDINGS}).
 *
 * @param acked distinct acked messages
 * @param applied applied events, duplicates included
 * @param lost acked messages never applied
 * @param duplicates applications beyond the first, over all messages
 * @param outOfOrder acked messages applied before one that had to come first
 * @param appliedNotAcked messages applied without an ack seen by the client (allowed: at-least-once until the ack)
 * @param pushesReceived pushes received, duplicates included
 * @param pushGaps push sequence numbers missing below the highest received
 * @param pushDuplicates pushes received again
 */
public record CheckResult(
    long acked,
    long applied,
    long lost,
    long duplicates,
    long outOfOrder,
    long appliedNotAcked,
    long pushesReceived,
    long pushGaps,
    long pushDuplicates,
    List<Finding> findings) {

  public CheckResult {
    findings = List.copyOf(findings);
  }

  /** No acked message lost, none applied twice, none out of order, no push gap or duplicate. */
  public boolean clean() {
    return lost == 0 && duplicates == 0 && outOfOrder == 0 && pushGaps == 0 && pushDuplicates == 0;
  }
}
