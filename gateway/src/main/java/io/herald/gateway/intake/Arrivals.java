package io.herald.gateway.intake;

import io.herald.gateway.admission.InFlightLimit;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.ingress.PublishLane;
import io.herald.gateway.validation.Ownership;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The frames of one WebSocket connection, or of one CoAP device ({@link DeviceArrivals}), whose order is kept.
 * Its frames are handed to its {@link PublishLane} in the order {@link #take} was called, each after the one before
 * it was handed over or refused, however long that one's ownership check takes; the lane is called by one thread at a
 * time, each call after the one before it. Only these frames wait for each other.
 *
 * <p>Thread-safe. A connection takes its frames on its stream's stage, one at a time in arrival order; a CoAP
 * device's requests may be taken on several Californium threads at once, and are then ordered as they reach the
 * hand-over (this object's monitor), which for a client that waits for the empty ACK is the order it sent them.
 */
public final class Arrivals {

  private final Intake intake;
  private final DeviceIdentity identity;
  private final Transport transport;
  private final Optional<String> callerTrace;
  private final InFlightLimit inFlight;
  private final Function<ClientFrame, ServerFrame> hello;
  private final PublishLane lane;
  // Completes when the latest frame taken in was handed to the lane or refused. Guarded by this object's monitor.
  private CompletableFuture<?> previousHandOver = CompletableFuture.completedFuture(null);

  Arrivals(Intake intake, DeviceIdentity identity, Transport transport, Optional<String> callerTrace, int maxInFlight,
      Function<ClientFrame, ServerFrame> hello, PublishLane lane) {
    this.intake = intake;
    this.identity = identity;
    this.transport = transport;
    this.callerTrace = callerTrace;
    this.inFlight = new InFlightLimit(maxInFlight);
    this.hello = hello;
    this.lane = lane;
  }

  /**
   * Takes in the bytes of one message (within the size limit). The stage completes with the client's answer: at
   * once for a frame that is answered without Kafka (invalid, hello, refused), else on the dispatcher, where it may
   * be continued synchronously. It never completes exceptionally in normal operation.
   */
  public CompletionStage<ServerFrame> take(ByteBuffer bytes) {
    return intake.take(this, bytes);
  }

  /**
   * Hands an admitted frame's record over in arrival order. A frame without an ownership check goes straight
   * to the lane when nothing is waiting before it (the hot path: no stage beyond the lane's); otherwise it waits for
   * its turn and its check. A refusal by the check is answered as soon as the check decides it; while the Kafka
   * breaker is open, a frame that would wait is refused at once.
   */
  synchronized CompletionStage<ServerFrame> inOrder(IngressRecord record) {
    ClientFrame frame = record.getFrame();
    if (!Ownership.applies(frame) && previousHandOver.isDone()) {
      return intake.publish(this, record);
    }
    Optional<ServerFrame> breakerOpen = intake.refusalWhileBreakerOpen(this, record);
    if (breakerOpen.isPresent()) {
      return CompletableFuture.completedFuture(breakerOpen.get());
    }
    // Completed on the dispatcher (or at once for a frame the check does not apply to).
    CompletableFuture<Optional<ServerFrame>> check = intake.ownershipRefusal(this, frame).toCompletableFuture();
    // Handed over after the frame before it (its turn) and after its own check allowed it; a refused frame hands
    // nothing over, and the frames after it go on when its turn has come.
    CompletableFuture<CompletionStage<ServerFrame>> handedOver = previousHandOver.thenCombineAsync(check,
        (previous, refused) -> refused.isPresent() ? null : intake.publish(this, record), intake.dispatcher());
    // A failure here (there should be none) must not stop the frames after this one.
    previousHandOver = handedOver.handle((answer, failure) -> null);
    // Synchronous: check and handedOver complete on the dispatcher, and so does publish's answer.
    return check.thenCompose(refused -> refused.isPresent()
        ? CompletableFuture.completedFuture(intake.answered(this, record, refused.get()))
        : handedOver.thenCompose(Function.identity()));
  }

  ServerFrame hello(ClientFrame frame) {
    return hello.apply(frame);
  }

  DeviceIdentity identity() {
    return identity;
  }

  Transport transport() {
    return transport;
  }

  Optional<String> callerTrace() {
    return callerTrace;
  }

  InFlightLimit inFlight() {
    return inFlight;
  }

  PublishLane lane() {
    return lane;
  }
}
