package io.herald.load.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The runs of one scenario repeated on one cluster ({@code chaos SCENARIO --repeat N}), added up: a guarantee that
 * fails rarely shows only over many full-length runs.
 */
final class SoakTotals {

  private final String scenario;
  private int runs;
  private int held;
  private int skipped;
  private long sent;
  private long acked;
  private long lost;
  private long duplicates;
  private long outOfOrder;
  private long pushGaps;
  private final List<Double> recoveryS = new ArrayList<>();

  SoakTotals(String scenario) {
    this.scenario = scenario;
  }

  void add(ChaosResult result) {
    runs++;
    if (result.wasSkipped()) {
      skipped++;
      return;
    }
    if (result.held()) {
      held++;
    }
    var summary = result.load().orElseThrow().summary();
    sent += summary.sent();
    acked += summary.acked();
    lost += summary.lost();
    duplicates += summary.duplicates();
    outOfOrder += summary.outOfOrder();
    pushGaps += summary.pushGaps();
    result.fault().ifPresent(fault -> recoveryS.add(fault.recoveryS()));
  }

  String line() {
    var recovery = recoveryS.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f..%.1f",
        recoveryS.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
        recoveryS.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    return String.format(Locale.ROOT, "%-16s runs %d held %d%s  sent %d acked %d lost %d duplicates %d"
            + " out_of_order %d push_gaps %d  recovery_s %s (per run: %s)",
        scenario, runs, held, skipped == 0 ? "" : " skipped " + skipped, sent, acked, lost, duplicates, outOfOrder,
        pushGaps, recovery, recoveryS);
  }
}
