package io.herald.gateway.admission;

import io.herald.gateway.auth.DeviceIdentity;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides, at once, whether this node takes one more frame for Kafka (docs/architecture.md, "Failure and degradation":
 * overload): the device must have a token in its bucket (contract default 100 frames/s, burst 200), so must its user
 * (all the user's devices on this node together: default 400 frames/s, burst 800, so that a user with many devices
 * cannot flood their partition's backlog), and the node must have fewer than
 * {@code node-max-in-flight} frames waiting for Kafka. A refused frame is answered {@code RETRY_LATER} with a
 * retry-after; accepted work keeps its latency. Shared by all transports of the node. Thread-safe.
 *
 * <p>Memory: one bucket per device that sent recently. A bucket that has refilled to full is the same as a new one, so
 * {@link #forgetFullBuckets()} (run periodically) drops it without changing any decision.
 */
public final class Admission {

  /** Why a frame was not admitted, and when to try again. */
  public record Refused(Duration retryAfter, String detail) {}

  private final AdmissionSettings settings;
  private final InFlightLimit node;
  private final RateLimit devices;
  private final RateLimit users;

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a test passes its own) */
  public Admission(AdmissionSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.node = new InFlightLimit(settings.nodeMaxInFlight());
    this.devices = new RateLimit(settings.deviceFramesPerSecond(), settings.deviceBurst(), nanoClock);
    this.users = new RateLimit(settings.userFramesPerSecond(), settings.userBurst(), nanoClock);
  }

  /**
   * Admits one frame of {@code device} (then the caller must {@link #release()} once the frame is answered) or says
   * why not (then there is nothing to release).
   */
  public Optional<Refused> tryAdmit(DeviceIdentity device) {
    if (!node.tryAcquire()) {
      return Optional.of(
          new Refused(
              settings.retryAfter(),
              "this node has " + node.max() + " frames waiting for Kafka: it takes no more for now"));
    }
    long retryAfterMs = devices.tryTake(key(device));
    if (retryAfterMs > 0) {
      node.release();
      return Optional.of(
          new Refused(
              Duration.ofMillis(retryAfterMs),
              "device rate limit: more than "
                  + settings.deviceBurst()
                  + " frames at once or "
                  + settings.deviceFramesPerSecond()
                  + " frames/s"));
    }
    long userRetryAfterMs = users.tryTake(device.userId());
    if (userRetryAfterMs > 0) {
      devices.giveBack(key(device));
      node.release();
      return Optional.of(
          new Refused(
              Duration.ofMillis(userRetryAfterMs),
              "user rate limit: the user's devices sent more than "
                  + settings.userBurst()
                  + " frames at once or "
                  + settings.userFramesPerSecond()
                  + " frames/s"));
    }
    return Optional.empty();
  }

  /** The admitted frame has been answered. */
  public void release() {
    node.release();
  }

  /** Drops buckets that are full again; returns how many remain (a seam for metrics). */
  public int forgetFullBuckets() {
    return devices.forgetFullBuckets() + users.forgetFullBuckets();
  }

  /** Frames of the whole node admitted and not yet answered. */
  public int inFlight() {
    return node.inFlight();
  }

  public AdmissionSettings settings() {
    return settings;
  }

  // The bucket is per device; device ids are only unique within a user.
  private static String key(DeviceIdentity device) {
    return device.userId() + '\u0000' + device.deviceId();
  }
}
