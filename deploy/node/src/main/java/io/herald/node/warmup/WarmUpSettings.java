package io.herald.node.warmup;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code herald.node.warm-up}: the traffic a node sends through its own gateway before it says ready.
 *
 * @param duration how long the warm-up traffic runs; zero turns the warm-up off
 * @param framesPerSecond telemetry frames per second over all warm-up devices together
 * @param usersPerPartition warm-up users (one device each) per partition of the ingress topic: a user's records are
 *     applied one after the other, so the traffic is spread over enough users for the node to apply it in parallel
 * @param giveUpAfter bound on the whole warm-up: past it the node says ready, warm or not, and logs why
 */
public record WarmUpSettings(Duration duration, int framesPerSecond, int usersPerPartition, Duration giveUpAfter) {

  public WarmUpSettings {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("herald.node.warm-up.duration must not be negative, got " + duration);
    }
    if (framesPerSecond < 1 || usersPerPartition < 1) {
      throw new IllegalArgumentException("herald.node.warm-up.frames-per-second and users-per-partition must be >= 1");
    }
    if (giveUpAfter.compareTo(duration) <= 0) {
      throw new IllegalArgumentException("herald.node.warm-up.give-up-after must be longer than its duration");
    }
  }

  public static WarmUpSettings from(Config config) {
    var warmUp = config.getConfig("herald.node.warm-up");
    return new WarmUpSettings(warmUp.getDuration("duration"), warmUp.getInt("frames-per-second"),
        warmUp.getInt("users-per-partition"), warmUp.getDuration("give-up-after"));
  }

  public boolean enabled() {
    return !duration.isZero();
  }
}
