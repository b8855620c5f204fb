package io.herald.gateway.ingress;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code herald.gateway.kafka-producer.breaker} and {@code herald.gateway.retry-after} (see reference.conf).
 *
 * @param maxFailures consecutive failed or unanswered sends that open the breaker
 * @param answerTimeout the longest a client waits for the answer to one frame (the call timeout)
 * @param resetTimeout how long the breaker stays open before it lets one probe through (half-open)
 * @param maxResetTimeout the open period doubles after each failed probe, up to this
 * @param retryAfter the {@code retry_after_ms} of a RETRY_LATER (at least the breaker's remaining open time)
 */
public record BreakerSettings(
    int maxFailures, Duration answerTimeout, Duration resetTimeout, Duration maxResetTimeout, Duration retryAfter) {

  private static final String PATH = "herald.gateway.kafka-producer.breaker";

  public static BreakerSettings from(Config config) {
    Config breaker = config.getConfig(PATH);
    int maxFailures = breaker.getInt("max-failures");
    if (maxFailures <= 0) {
      throw new ConfigException.BadValue(breaker.origin(), "max-failures", "must be positive, was " + maxFailures);
    }
    Duration reset = positive(breaker, "reset-timeout");
    Duration maxReset = positive(breaker, "max-reset-timeout");
    if (maxReset.compareTo(reset) < 0) {
      throw new ConfigException.BadValue(
          breaker.origin(), "max-reset-timeout", "must be at least reset-timeout (" + reset + "), was " + maxReset);
    }
    return new BreakerSettings(
        maxFailures,
        positive(breaker, "answer-timeout"),
        reset,
        maxReset,
        positive(config.getConfig("herald.gateway"), "retry-after"));
  }

  private static Duration positive(Config config, String path) {
    Duration value = config.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException.BadValue(config.origin(), path, "must be positive, was " + value);
    }
    return value;
  }
}
