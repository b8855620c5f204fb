package io.herald.load;

import java.time.Duration;

/**
 * The {@code recovery} scenario: how many events one Device entity gets before it is passivated and asked again.
 *
 * @param events telemetry frames the device sends (each one event of its entity)
 * @param passivationWait the bound on waiting, after the last event was applied, for the node to have passivated
 *     every Device entity (the node's idle timeout plus a margin)
 */
public record RecoveryPlan(int events, Duration passivationWait) {

  public static final RecoveryPlan DEFAULT = new RecoveryPlan(100_000, Duration.ofMinutes(3));

  public RecoveryPlan {
    if (events < 1 || events > 10_000_000) {
      throw new IllegalArgumentException("--events must be in [1, 10000000], got " + events);
    }
    if (passivationWait.isNegative() || passivationWait.isZero()
        || passivationWait.compareTo(ScenarioSettings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("--passivation-wait must be in (0, 1h], got " + passivationWait);
    }
  }
}
