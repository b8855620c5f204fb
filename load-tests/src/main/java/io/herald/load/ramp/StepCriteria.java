package io.herald.load.ramp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a ramp step counts as sustained. A step passes when all four hold:
 * <ol>
 *   <li>its send→ack p99 is at most {@code p99Bound};
 *   <li>every offered arrival was acked within the step's drain bound (none refused by a full outbox, given up, or
 *       still unanswered);
 *   <li>acks kept up: its acked throughput (acks ÷ seconds from the first offer to the last ack) is at least
 *       {@code keepUp} × the offered rate. Past capacity the backlog grows during the step and drains after it, so
 *       the last ack comes late and this ratio falls;
 *   <li>applying kept up: the p99 of its frames' receipt-to-journal time is at most {@code applyP99Bound} (an ack
 *       comes once Kafka has the frame; a rate whose frames are applied seconds later is not sustained).
 * </ol>
 *
 * @param p99Bound the highest acceptable send→ack p99
 * @param keepUp the lowest acceptable acked throughput as a fraction of the offered rate, in (0, 1]; it must leave
 *     room for the last frames' own latency (a 10 s step with a 0.5 s tail reaches about 0.95)
 * @param applyP99Bound the highest acceptable receipt-to-journal p99 (not judged when the step has no figure)
 */
public record StepCriteria(Duration p99Bound, double keepUp, Duration applyP99Bound) {

  public StepCriteria {
    if (p99Bound.isNegative() || p99Bound.isZero()) {
      throw new IllegalArgumentException("the p99 bound must be positive, got " + p99Bound);
    }
    if (!(keepUp > 0) || keepUp > 1) {
      throw new IllegalArgumentException("keep-up must be in (0, 1], got " + keepUp);
    }
    if (applyP99Bound.isNegative() || applyP99Bound.isZero()) {
      throw new IllegalArgumentException("the apply p99 bound must be positive, got " + applyP99Bound);
    }
  }

  /** Why the step failed; empty when it passed. */
  public List<String> failures(StepMeasurement step) {
    var failures = new ArrayList<String>();
    double boundMs = p99Bound.toNanos() / 1e6;
    if (step.latencyMs().p99() > boundMs) {
      failures.add(String.format(Locale.ROOT, "p99 %.1f ms > bound %.1f ms", step.latencyMs().p99(), boundMs));
    }
    if (step.acked() < step.offered()) {
      failures.add((step.offered() - step.acked()) + " of " + step.offered() + " offered frames not acked");
    }
    if (step.throughputPerS() < keepUp * step.rateTarget()) {
      failures.add(String.format(Locale.ROOT, "acks %.1f/s < %.2f × offered %.1f/s", step.throughputPerS(), keepUp,
          step.rateTarget()));
    }
    double applyBoundMs = applyP99Bound.toNanos() / 1e6;
    if (step.applyLatencyMs() != null && step.applyLatencyMs().p99() > applyBoundMs) {
      failures.add(String.format(Locale.ROOT, "applied p99 %.1f ms after receipt > bound %.1f ms",
          step.applyLatencyMs().p99(), applyBoundMs));
    }
    return List.copyOf(failures);
  }
}
