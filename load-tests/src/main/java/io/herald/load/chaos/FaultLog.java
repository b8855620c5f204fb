package io.herald.load.chaos;

import io.herald.load.report.FaultMarker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a fault did and when, on the load's clock (seconds since the offering started), and what its own checks
 * found. Written by the fault's thread, read by the run once the fault has ended.
 */
public final class FaultLog {

  private final long startedNanos;
  private final List<FaultMarker> markers = new ArrayList<>();
  private final Map<String, Long> evidence = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final java.io.PrintStream progress;

  FaultLog(long startedNanos, java.io.PrintStream progress) {
    this.startedNanos = startedNanos;
    this.progress = progress;
  }

  /** The fault strikes now. */
  public synchronized void injected(String what) {
    mark(FaultMarker.Kind.INJECTED, what);
  }

  /** The fault is over and the cluster is whole again. */
  public synchronized void healed(String what) {
    mark(FaultMarker.Kind.HEALED, what);
  }

  /** A count the fault checks (e.g. poison records produced and dead-lettered). */
  public synchronized void evidence(String name, long value) {
    evidence.put(name, value);
  }

  /** One of the fault's own checks failed. */
  public synchronized void problem(String what) {
    problems.add(what);
    progress.println("[chaos] problem: " + what);
  }

  synchronized List<FaultMarker> markers() {
    return List.copyOf(markers);
  }

  synchronized Map<String, Long> evidence() {
    return Map.copyOf(evidence);
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /** When the first injection was, in seconds since the start; empty if the fault never struck. */
  synchronized OptionalDouble firstInjectionS() {
    return markers.stream().filter(m -> m.kind() == FaultMarker.Kind.INJECTED).mapToDouble(FaultMarker::atS)
        .findFirst();
  }

  private void mark(FaultMarker.Kind kind, String what) {
    double atS = (System.nanoTime() - startedNanos) / 1e9;
    markers.add(new FaultMarker(atS, kind, what));
    progress.printf(java.util.Locale.ROOT, "[chaos] %.1f s: %s %s%n", atS, kind.name().toLowerCase(java.util.Locale.ROOT), what);
  }
}
