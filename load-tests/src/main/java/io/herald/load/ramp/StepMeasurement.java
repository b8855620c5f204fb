package io.herald.load.ramp;

import io.herald.load.report.LatencyMs;
import io.herald.load.report.RunSummary;

/**
 * What one ramp step measured, the inputs of its verdict.
 *
 * @param rateTarget offered frames per second
 * @param offered arrivals the schedule produced (taken by the clients or not)
 * @param acked frames acked by the end of the step's drain bound
 * @param throughputPerS acks per second from the step's first offer to its last ack
 * @param latencyMs send→ack of the acked frames, retries included
 * @param applyLatencyMs the gateway's receipt to the journal row (how far applying lagged acking); null when unknown
 */
public record StepMeasurement(double rateTarget, long offered, long acked, double throughputPerS, LatencyMs latencyMs,
    LatencyMs applyLatencyMs) {

  /** From a steady run's summary: offered = taken + refused by a full outbox + for a stopped client. */
  public static StepMeasurement of(RunSummary summary) {
    return new StepMeasurement(summary.rateTarget(), summary.sent() + summary.outboxFull() + summary.clientStopped(),
        summary.acked(), summary.throughputPerS(), summary.latencyMs(), summary.applyLatencyMs());
  }
}
