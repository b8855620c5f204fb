package io.herald.load.report;

/**
 * A moment of a fault on the run's timeline, drawn on the report's plots.
 *
 * @param atS seconds since the offering started (the timeline's clock)
 * @param kind {@link Kind#INJECTED} when the fault began, {@link Kind#HEALED} when the cluster was whole again
 * @param what what was done, e.g. "SIGKILL node 1"
 */
public record FaultMarker(double atS, Kind kind, String what) {

  /** What the marker marks. */
  public enum Kind { INJECTED, HEALED }
}
