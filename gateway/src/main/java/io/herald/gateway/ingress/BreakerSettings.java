package io.herald.gateway.ingress;

import static io.herald.gateway.SettingChecks.positiveDuration;
import static io.herald.gateway.SettingChecks.positiveInt;

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
    int maxFailures = positiveInt(breaker, "max-failures");
    Duration reset = positiveDuration(breaker, "reset-timeout");
    Duration maxReset = positiveDuration(breaker, "max-reset-timeout");
    if (maxReset.compareTo(reset) < 0) {
      throw new ConfigException.BadValue(
          breaker.origin(), "max-reset-timeout", "must be at least reset-timeout (" + reset + "), was " + maxReset);
    }
    return new BreakerSettings(
        maxFailures,
        positiveDuration(breaker, "answer-timeout"),
        reset,
        maxReset,
        positiveDuration(config.getConfig("herald.gateway"), "retry-after"));
  }
}
