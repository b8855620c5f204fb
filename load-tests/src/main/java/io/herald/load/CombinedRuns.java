package io.herald.load;

import io.herald.load.check.CheckResult;
import io.herald.load.check.Finding;
import io.herald.load.check.InvariantChecker;
import io.herald.load.report.RunSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One summary for a run made of several steady phases (ramp steps, a ramp then an overload): counts and the
 * checker's verdicts add up over the phases, so one loss anywhere shows; rate, throughput and latency are those of
 * the phase the scenario is about.
 */
final class CombinedRuns {

  private CombinedRuns() {}

  /**
   * @param about the phase whose rate target, throughput and latency the summary states
   */
  static RunSummary summary(String scenario, ScenarioResult about, List<ScenarioResult> phases) {
    var nacks = new TreeMap<String, Long>();
    var findings = new ArrayList<Finding>();
    long sent = 0, acked = 0, refused = 0, gaveUp = 0, abandoned = 0, outboxFull = 0, clientStopped = 0, applied = 0;
    long delivered = 0, lost = 0, duplicates = 0, outOfOrder = 0, appliedNotAcked = 0, pushGaps = 0, pushDups = 0;
    double durationS = 0;
    int devices = 0;
    for (ScenarioResult phase : phases) {
      RunSummary s = phase.summary();
      durationS += s.durationS();
      devices = Math.max(devices, s.devices());
      sent += s.sent();
      acked += s.acked();
      s.nackedByCode().forEach((code, count) -> nacks.merge(code, count, Long::sum));
      refused += s.refused();
      gaveUp += s.gaveUp();
      abandoned += s.abandoned();
      outboxFull += s.outboxFull();
      clientStopped += s.clientStopped();
      applied += s.applied();
      delivered += s.delivered();
      lost += s.lost();
      duplicates += s.duplicates();
      outOfOrder += s.outOfOrder();
      appliedNotAcked += s.appliedNotAcked();
      pushGaps += s.pushGaps();
      pushDups += s.pushDuplicates();
      findings.addAll(s.findings());
    }
    RunSummary main = about.summary();
    return new RunSummary(scenario, main.rateTarget(), durationS, devices, sent, acked, nacks, refused, gaveUp,
        abandoned, outboxFull, clientStopped, applied, delivered, lost, duplicates, outOfOrder, appliedNotAcked,
        pushGaps, pushDups, main.throughputPerS(), main.latencyMs(), main.pushLatencyMs(),
        main.nackLatencyMs(), main.applyLatencyMs(), limit(findings));
  }

  static CheckResult check(List<ScenarioResult> phases) {
    long acked = 0, applied = 0, lost = 0, duplicates = 0, outOfOrder = 0, appliedNotAcked = 0, pushes = 0;
    long pushGaps = 0, pushDuplicates = 0;
    var findings = new ArrayList<Finding>();
    for (ScenarioResult phase : phases) {
      CheckResult c = phase.check();
      acked += c.acked();
      applied += c.applied();
      lost += c.lost();
      duplicates += c.duplicates();
      outOfOrder += c.outOfOrder();
      appliedNotAcked += c.appliedNotAcked();
      pushes += c.pushesReceived();
      pushGaps += c.pushGaps();
      pushDuplicates += c.pushDuplicates();
      findings.addAll(c.findings());
    }
    return new CheckResult(acked, applied, lost, duplicates, outOfOrder, appliedNotAcked, pushes, pushGaps,
        pushDuplicates, limit(findings));
  }

  private static List<Finding> limit(List<Finding> findings) {
    return findings.subList(0, Math.min(findings.size(), InvariantChecker.MAX_FINDINGS));
  }
}
