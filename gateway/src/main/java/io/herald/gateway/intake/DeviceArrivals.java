package io.herald.gateway.intake;

import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.ServerFrame;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@link Arrivals} of a transport without connections (CoAP), one per device: a device's frames reach Kafka in
 * the order they were taken, whichever threads take them. A device's {@link Arrivals} are kept while one of its frames
 * is being taken or waits for its answer, and dropped when the last one was answered (new ones are the same as idle
 * ones), so memory is bounded by the frames in the intake (each admitted one holds a place of the node's in-flight
 * bound). Thread-safe.
 */
public final class DeviceArrivals {

  /** A device's {@link Arrivals}, and how many of its frames are being taken or wait for their answer. */
  private static final class Held {
    final Arrivals arrivals;
    // Read and written only inside the map's atomic compute for this device.
    int frames;

    Held(Arrivals arrivals) {
      this.arrivals = arrivals;
    }
  }

  private final Function<DeviceIdentity, Arrivals> newArrivals;
  private final Map<DeviceIdentity, Held> sources = new ConcurrentHashMap<>();

  DeviceArrivals(Function<DeviceIdentity, Arrivals> newArrivals) {
    this.newArrivals = newArrivals;
  }

  /** As {@link Arrivals#take}, for the device's frames. */
  public CompletionStage<ServerFrame> take(DeviceIdentity device, ByteBuffer bytes) {
    // Counted in the same atomic step that finds the device's arrivals: they cannot be dropped before this frame is
    // answered, and a frame taken after they were dropped has no frame of the device before it in the intake.
    Held held = sources.compute(device, (key, existing) -> {
      Held taking = existing != null ? existing : new Held(newArrivals.apply(key));
      taking.frames++;
      return taking;
    });
    CompletionStage<ServerFrame> answer;
    try {
      answer = held.arrivals.take(bytes);
    } catch (RuntimeException e) {
      answered(device);
      throw e;
    }
    // Synchronous: the answer is complete already or completes on the dispatcher (Arrivals.take).
    answer.whenComplete((frame, failure) -> answered(device));
    return answer;
  }

  /** How many devices have frames in the intake now (a seam for metrics, and tests). */
  public int size() {
    return sources.size();
  }

  private void answered(DeviceIdentity device) {
    sources.computeIfPresent(device, (key, held) -> --held.frames == 0 ? null : held);
  }
}
