package io.herald.load.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chaos run adds to the summary: the fault, when it struck, and how long until acks resumed.
 *
 * @param fault the fault's name (the chaos scenario)
 * @param faultAtS seconds since the offering started when the fault was injected
 * @param recoveryS seconds from the injection until acks resumed at the offered rate (see load-tests/README.md,
 *     "recovery_s"), measured from the per-second timeline
 * @param markers when the fault was injected and healed, in timeline seconds
 * @param evidence counts a fault checks besides the load's invariants, e.g. poison records produced and dead-lettered
 * @param problems what the fault's own checks found wrong (a woken node that did not exit, a poison record missing
 *     from herald.dead-letter); empty when they held
 */
public record FaultReport(String fault, double faultAtS, double recoveryS, List<FaultMarker> markers,
    Map<String, Long> evidence, List<String> problems) {

  public FaultReport {
    Objects.requireNonNull(fault, "fault");
    markers = List.copyOf(markers);
    evidence = Map.copyOf(evidence);
    problems = List.copyOf(problems);
  }
}
