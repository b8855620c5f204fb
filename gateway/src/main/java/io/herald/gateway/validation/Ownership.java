package io.herald.gateway.validation;

import io.herald.gateway.ServerFrames;
import io.herald.gateway.rest.EntityQueries;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A frame may act only as its token's user: {@code set_desired} names a device, which must be the user's. The Device
 * entity knows its owner, so the gateway asks it before producing, and a stranger gets a nack ({@code
 * UNKNOWN_DEVICE}: no such device; {@code FORBIDDEN}: another user's) instead of an ack followed by
 * {@code push.rejected}. When the owner cannot be learnt in time the frame is not produced either: {@code
 * RETRY_LATER}.
 */
public final class Ownership {

  private final EntityQueries entities;
  private final Duration retryAfter;
  private final Executor dispatcher;

  /** @param dispatcher runs the continuation of the Device entity's answer */
  public Ownership(EntityQueries entities, Duration retryAfter, Executor dispatcher) {
    this.entities = entities;
    this.retryAfter = retryAfter;
    this.dispatcher = dispatcher;
  }

  /** Whether the frame needs the check at all (only set_desired does): the others are produced without a wait. */
  public static boolean applies(ClientFrame frame) {
    return frame.hasSetDesired();
  }

  /** Empty when the frame may be produced, else the nack to answer with. */
  public CompletionStage<Optional<ServerFrame>> refusal(ClientFrame frame, String userId) {
    if (!applies(frame)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    var deviceId = frame.getSetDesired().getDeviceId();
    var messageId = frame.getMessageId();
    return entities.owner(deviceId).handleAsync((owner, failure) -> {
      if (failure != null) {
        return Optional.of(ServerFrames.retryLater(messageId, retryAfter,
            "the owner of device " + deviceId + " could not be checked: " + failure.getMessage()));
      }
      if (owner.getOwnerUserId().isEmpty()) {
        return Optional.of(ServerFrames.nack(messageId, NackCode.UNKNOWN_DEVICE, "device " + deviceId + " is not known"));
      }
      if (!owner.getOwnerUserId().equals(userId)) {
        return Optional.of(ServerFrames.nack(messageId, NackCode.FORBIDDEN,
            "device " + deviceId + " belongs to another user"));
      }
      return Optional.empty();
    }, dispatcher);
  }
}
