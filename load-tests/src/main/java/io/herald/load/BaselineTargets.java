package io.herald.load;

import io.herald.load.baseline.BaselineSettings;
import java.time.Duration;

/**
 * Where and how long to measure the raw baselines before a scenario ({@code --kafka}). Cassandra is the run's own
 * ({@code --cassandra}).
 *
 * @param kafkaBootstrap Kafka's bootstrap servers, on this machine only
 * @param kafkaReplicationFactor of the baseline topic when it has to be created (1 on a single broker)
 * @param duration each baseline's measured window, after a 1 s warm-up
 */
public record BaselineTargets(String kafkaBootstrap, short kafkaReplicationFactor, Duration duration) {

  public BaselineTargets {
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("the Kafka bootstrap is required for the baselines");
    }
    if (kafkaReplicationFactor < 1) {
      throw new IllegalArgumentException("the replication factor must be >= 1");
    }
    if (duration.isNegative() || duration.isZero() || duration.compareTo(BaselineSettings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("the baseline duration must be in (0, " + BaselineSettings.MAX_DURATION
          + "], got " + duration);
    }
  }

  /** Same keys (one per simulated user) as the scenario's records. */
  public BaselineSettings settings(int keys) {
    return BaselineSettings.of(duration, keys);
  }
}
