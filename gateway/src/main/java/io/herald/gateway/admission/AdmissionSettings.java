package io.herald.gateway.admission;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code herald.gateway.limits} (see reference.conf).
 *
 * @param deviceFramesPerSecond the rate a device's token bucket refills at
 * @param deviceBurst the bucket's size: frames a device may send at once after a quiet time
 * @param nodeMaxInFlight frames of all clients of this node waiting for Kafka together
 * @param bucketSweepInterval how often buckets that are full again are forgotten
 * @param retryAfter {@code herald.gateway.retry-after}: the retry-after when the node bound refuses a frame
 */
public record AdmissionSettings(
    double deviceFramesPerSecond,
    int deviceBurst,
    int nodeMaxInFlight,
    Duration bucketSweepInterval,
    Duration retryAfter) {

  public static AdmissionSettings from(Config config) {
    Config limits = config.getConfig("herald.gateway.limits");
    double rate = limits.getDouble("device-frames-per-second");
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new ConfigException.BadValue(
          limits.origin(), "device-frames-per-second", "must be a positive number, was " + rate);
    }
    Duration sweep = limits.getDuration("bucket-sweep-interval");
    if (sweep.isNegative() || sweep.isZero()) {
      throw new ConfigException.BadValue(limits.origin(), "bucket-sweep-interval", "must be positive, was " + sweep);
    }
    return new AdmissionSettings(
        rate,
        positive(limits, "device-burst"),
        positive(limits, "node-max-in-flight"),
        sweep,
        config.getDuration("herald.gateway.retry-after"));
  }

  private static int positive(Config config, String path) {
    int value = config.getInt(path);
    if (value <= 0) {
      throw new ConfigException.BadValue(config.origin(), path, "must be positive, was " + value);
    }
    return value;
  }
}
