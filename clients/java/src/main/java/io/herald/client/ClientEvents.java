package io.herald.client;

import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.Welcome;

/**
 * What a {@link DeviceClient} tells its application. Callbacks run on the client's threads, one at a time per client:
 * keep them short. Every method has a no-op default.
 */
public interface ClientEvents {

  ClientEvents NONE = new ClientEvents() {};

  /** A session started: Herald answered {@code hello}. */
  default void onConnected(Welcome welcome) {}

  /** The connection ended; the client reconnects by itself unless it was closed or ran out of attempts. */
  default void onDisconnected(String reason) {}

  /** The client will not reconnect any more: {@code reason} says why. */
  default void onStopped(String reason) {}

  /** A frame ended (acked, refused, given up or abandoned). */
  default void onOutcome(SendOutcome outcome) {}

  /** Herald answered a frame with a nack, whether or not the client resends it. */
  default void onNack(Nack nack) {}

  /**
   * The nack answered the attempt in flight, {@code sinceSentNanos} after that attempt was handed to the socket (not
   * after it was queued in the client): how long Herald took to refuse (a refusal is meant to be answered at once, not
   * behind frames waiting for Kafka).
   */
  default void onAttemptNacked(Nack nack, long sinceSentNanos) {}

  /** A push arrived. Pushes are handed over as they arrive, duplicates and gaps included, for the app to judge. */
  default void onPush(Push push) {}
}
