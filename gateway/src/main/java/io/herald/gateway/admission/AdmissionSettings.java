package io.herald.gateway.admission;

import static io.herald.gateway.SettingChecks.positiveBytes;
import static io.herald.gateway.SettingChecks.positiveDuration;
import static io.herald.gateway.SettingChecks.positiveInt;
import static io.herald.gateway.SettingChecks.positiveNumber;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code herald.gateway.limits} (see reference.conf).
 *
 * @param deviceFramesPerSecond the rate a device's token bucket refills at
 * @param deviceBurst the bucket's size: frames a device may send at once after a quiet time
 * @param userFramesPerSecond the rate a user's token bucket refills at (all the user's devices on this node)
 * @param userBurst that bucket's size
 * @param userBytesPerSecond the rate a user's byte bucket refills at (the bytes of all the user's frames on this node)
 * @param userBytesBurst that bucket's size, at least {@code herald.gateway.max-frame-bytes} so that any frame within
 *     the size limit can be admitted
 * @param nodeMaxInFlight frames of all clients of this node waiting for Kafka together
 * @param nodeMaxInFlightBytes their bytes together, at least {@code herald.gateway.max-frame-bytes}
 * @param bucketSweepInterval how often buckets that are full again are forgotten
 * @param retryAfter {@code herald.gateway.retry-after}: the retry-after when a node bound (frames or bytes) refuses a
 *     frame
 */
public record AdmissionSettings(
    double deviceFramesPerSecond,
    int deviceBurst,
    double userFramesPerSecond,
    int userBurst,
    double userBytesPerSecond,
    long userBytesBurst,
    int nodeMaxInFlight,
    long nodeMaxInFlightBytes,
    Duration bucketSweepInterval,
    Duration retryAfter) {

  public static AdmissionSettings from(Config config) {
    Config limits = config.getConfig("herald.gateway.limits");
    long maxFrameBytes = config.getBytes("herald.gateway.max-frame-bytes");
    return new AdmissionSettings(
        positiveNumber(limits, "device-frames-per-second"),
        positiveInt(limits, "device-burst"),
        positiveNumber(limits, "user-frames-per-second"),
        positiveInt(limits, "user-burst"),
        positiveBytes(limits, "user-bytes-per-second"),
        atLeastAFrame(limits, "user-bytes-burst", maxFrameBytes),
        positiveInt(limits, "node-max-in-flight"),
        atLeastAFrame(limits, "node-max-in-flight-bytes", maxFrameBytes),
        positiveDuration(limits, "bucket-sweep-interval"),
        config.getDuration("herald.gateway.retry-after"));
  }

  /** A byte bound every frame within the size limit fits in: a smaller one would never admit some valid frames. */
  private static long atLeastAFrame(Config limits, String path, long maxFrameBytes) {
    long value = positiveBytes(limits, path);
    if (value < maxFrameBytes) {
      throw new ConfigException.BadValue(limits.origin(), path, "must be at least herald.gateway.max-frame-bytes ("
          + maxFrameBytes + "), was " + value + ": a frame within the size limit would never be admitted");
    }
    return value;
  }
}
