package io.herald.gateway.admission;

import io.herald.gateway.auth.DeviceIdentity;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides, at once, whether this node takes one more frame for Kafka (docs/architecture.md, "Failure and degradation":
 * overload): the device must have a token in its bucket (contract default 100 frames/s, burst 200), so must its user
 * (all the user's devices on this node together: default 400 frames/s, burst 800, so that a user with many devices
 * cannot flood their partition's backlog), the user's byte bucket must hold the frame's bytes (default 256 KiB/s,
 * burst 1 MiB: frames of up to 64 KiB cost Kafka, Cassandra and the node's cores by their size, so a count alone lets
 * one user's large frames take the node from everybody else), and the node must have fewer than
 * {@code node-max-in-flight} frames and {@code node-max-in-flight-bytes} bytes of frames waiting for Kafka (its
 * memory for them). A frame's bytes are its encoded size (the decoded frame's, which Kafka and Cassandra carry). A
 * refused frame is answered {@code RETRY_LATER} with a retry-after; accepted work keeps its latency. Shared by all
 * transports of the node. Thread-safe.
 *
 * <p>Memory: one bucket per device, and two per user, that sent recently. A bucket that has refilled to full is the
 * same as a new one, so {@link #forgetFullBuckets()} (run periodically) drops it without changing any decision.
 */
public final class Admission {

  /** Why a frame was not admitted, and when to try again. */
  public record Refused(Duration retryAfter, String detail) {}

  private final AdmissionSettings settings;
  private final InFlightLimit nodeFrames;
  private final InFlightLimit nodeBytes;
  private final RateLimit devices;
  private final RateLimit users;
  private final RateLimit userBytes;

  /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a test passes its own) */
  public Admission(AdmissionSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.nodeFrames = new InFlightLimit(settings.nodeMaxInFlight());
    this.nodeBytes = new InFlightLimit(settings.nodeMaxInFlightBytes());
    this.devices = new RateLimit(settings.deviceFramesPerSecond(), settings.deviceBurst(), nanoClock);
    this.users = new RateLimit(settings.userFramesPerSecond(), settings.userBurst(), nanoClock);
    this.userBytes = new RateLimit(settings.userBytesPerSecond(), settings.userBytesBurst(), nanoClock);
  }

  /**
   * Admits one frame of {@code device}, {@code frameBytes} long (then the caller must {@link #release} it once the
   * frame is answered), or says why not (then there is nothing to release).
   */
  public Optional<Refused> tryAdmit(DeviceIdentity device, int frameBytes) {
    if (!nodeFrames.tryAcquire(1)) {
      return Optional.of(
          new Refused(
              settings.retryAfter(),
              "this node has " + nodeFrames.max() + " frames waiting for Kafka: it takes no more for now"));
    }
    if (!nodeBytes.tryAcquire(frameBytes)) {
      nodeFrames.release(1);
      return Optional.of(
          new Refused(
              settings.retryAfter(),
              "this node has frames of nearly " + nodeBytes.max()
                  + " bytes waiting for Kafka: it takes no more for now"));
    }
    Optional<Refused> refused = rateLimits(device, frameBytes);
    if (refused.isPresent()) {
      release(frameBytes);
    }
    return refused;
  }

  private Optional<Refused> rateLimits(DeviceIdentity device, int frameBytes) {
    long retryAfterMs = devices.tryTake(key(device), 1);
    if (retryAfterMs > 0) {
      return overRate(retryAfterMs, "device rate limit: more than ", settings.deviceBurst(),
          settings.deviceFramesPerSecond(), "frames");
    }
    retryAfterMs = users.tryTake(device.userId(), 1);
    if (retryAfterMs > 0) {
      devices.giveBack(key(device), 1);
      return overRate(retryAfterMs, "user rate limit: the user's devices sent more than ", settings.userBurst(),
          settings.userFramesPerSecond(), "frames");
    }
    retryAfterMs = userBytes.tryTake(device.userId(), frameBytes);
    if (retryAfterMs > 0) {
      users.giveBack(device.userId(), 1);
      devices.giveBack(key(device), 1);
      return overRate(retryAfterMs, "user byte rate limit: the user's devices sent more than ",
          settings.userBytesBurst(), (long) settings.userBytesPerSecond(), "bytes");
    }
    return Optional.empty();
  }

  /** @param perSecond as the detail prints it: frames per second may be fractional, bytes per second are whole */
  private static Optional<Refused> overRate(long retryAfterMs, String what, long burst, Number perSecond, String unit) {
    return Optional.of(new Refused(Duration.ofMillis(retryAfterMs),
        what + burst + " " + unit + " at once or " + perSecond + " " + unit + "/s"));
  }

  /** The admitted frame of {@code frameBytes} (as admitted) has been answered. */
  public void release(int frameBytes) {
    nodeFrames.release(1);
    nodeBytes.release(frameBytes);
  }

  /** Drops buckets that are full again; returns how many remain (a seam for metrics). */
  public int forgetFullBuckets() {
    return devices.forgetFullBuckets() + users.forgetFullBuckets() + userBytes.forgetFullBuckets();
  }

  /** Frames of the whole node admitted and not yet answered. */
  public long inFlight() {
    return nodeFrames.inFlight();
  }

  /** Their bytes. */
  public long inFlightBytes() {
    return nodeBytes.inFlight();
  }

  public AdmissionSettings settings() {
    return settings;
  }

  // The bucket is per device; device ids are only unique within a user.
  private static String key(DeviceIdentity device) {
    return device.userId() + '\u0000' + device.deviceId();
  }
}
