package io.herald.load.report;

import io.herald.load.check.Finding;
import java.util.List;
import java.util.Map;

/**
 * The result of a run, as {@code summary.json} states it (field names there are those of docs/architecture.md, "Reports").
 * {@code lost}, {@code duplicates} and {@code outOfOrder} come from the invariant checker.
 *
 * @param scenario the scenario's name
 * @param rateTarget the offered rate, frames per second over all devices
 * @param durationS how long frames were offered
 * @param devices simulated devices
 * @param sent distinct frames the clients took for delivery
 * @param acked frames acked
 * @param nackedByCode nacks received, by code name (one frame may be nacked several times)
 * @param refused frames dropped after a nack a resend cannot change
 * @param gaveUp frames dropped after their last attempt
 * @param abandoned frames without outcome when the clients stopped (still in their outboxes)
 * @param outboxFull arrivals the clients could not take because their outbox was full
 * @param clientStopped arrivals for devices whose client had stopped (it gave up reconnecting)
 * @param applied events applied by the entities (from the journal)
 * @param delivered pushes received by the clients
 * @param lost acked but never applied
 * @param duplicates applied more than once
 * @param outOfOrder applied before a message that had to come first
 * @param appliedNotAcked applied without an ack seen (allowed)
 * @param pushGaps push sequence numbers missing
 * @param pushDuplicates pushes received again
 * @param throughputPerS acks per second over the offering period
 * @param latencyMs send-to-ack, retries included
 * @param pushLatencyMs send-to-push of chat messages at the other members; null when the run had no chat
 * @param nackLatencyMs an attempt's send to the nack that answered it (WebSocket clients); null when none was nacked
 * @param applyLatencyMs the gateway's receipt of a frame to its event's journal row (telemetry and chat, first copy of
 *     each), from the journal; an ack comes at the receipt's Kafka write, so this is how far applying lags acking;
 *     null when the journal gave no such time
 * @param findings examples of broken invariants
 */
public record RunSummary(
    String scenario,
    double rateTarget,
    double durationS,
    int devices,
    long sent,
    long acked,
    Map<String, Long> nackedByCode,
    long refused,
    long gaveUp,
    long abandoned,
    long outboxFull,
    long clientStopped,
    long applied,
    long delivered,
    long lost,
    long duplicates,
    long outOfOrder,
    long appliedNotAcked,
    long pushGaps,
    long pushDuplicates,
    double throughputPerS,
    LatencyMs latencyMs,
    LatencyMs pushLatencyMs,
    LatencyMs nackLatencyMs,
    LatencyMs applyLatencyMs,
    List<Finding> findings) {

  public RunSummary {
    nackedByCode = Map.copyOf(nackedByCode);
    findings = List.copyOf(findings);
  }
}
