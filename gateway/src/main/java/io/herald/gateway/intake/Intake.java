package io.herald.gateway.intake;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.admission.Admission;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.gateway.ingress.IngressRecords;
import io.herald.gateway.ingress.PublishResult;
import io.herald.gateway.validation.DecodedFrame;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.Ownership;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.tracing.TraceMdc;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one way from a client's bytes to Kafka and back, whichever transport brought them: decode and
 * validate, degrade, admit, check ownership, publish, answer. One per gateway, shared by the WebSocket and CoAP
 * endpoints, which keep only their framing (reading messages or exchanges, writing answers). Thread-safe.
 *
 * <p>Frames come in {@link Arrivals}: those of a WebSocket connection ({@link #connection}), or those of one CoAP
 * device ({@link #devices}). They are handed to Kafka in the order they were taken, also while a {@code set_desired}
 * among them waits for its ownership check; refusals are answered as soon as they are decided (in any order: every
 * answer carries the frame's message id). Ack after durable: a frame is answered {@code ack} only when Kafka
 * acknowledged it, and {@code RETRY_LATER} when Kafka did not take it, did not answer within the breaker's answer
 * bound, or the breaker is open. No thread waits meanwhile: every continuation runs on the dispatcher.
 */
public final class Intake {

  private static final Logger log = LoggerFactory.getLogger(Intake.class);

  private final FrameDecoder decoder;
  private final Degradation degradation;
  private final Admission admission;
  private final Ownership ownership;
  private final IngressProducer producer;
  private final int maxFrameBytes;
  private final Duration retryAfter;
  private final Executor dispatcher;
  private final Clock clock;

  /**
   * @param maxFrameBytes the size limit the transports read frames within (named in {@code TOO_LARGE} answers)
   * @param retryAfter the retry-after of the refusals decided here (degradation, a connection's in-flight bound)
   * @param dispatcher runs the continuations of the ownership check's and Kafka's answers
   */
  public Intake(FrameDecoder decoder, Degradation degradation, Admission admission, Ownership ownership,
      IngressProducer producer, int maxFrameBytes, Duration retryAfter, Executor dispatcher, Clock clock) {
    this.decoder = decoder;
    this.degradation = degradation;
    this.admission = admission;
    this.ownership = ownership;
    this.producer = producer;
    this.maxFrameBytes = maxFrameBytes;
    this.retryAfter = retryAfter;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /**
   * The arrivals of one connection: call its {@link Arrivals#take} from one thread at a time, in arrival order (the
   * connection's stream stage does).
   *
   * @param callerTrace the W3C trace context the connection was opened with, if any: each frame's publish span is
   *     then part of that trace
   * @param maxInFlight how many of the connection's frames may wait for Kafka; one more is answered RETRY_LATER
   * @param hello answers a {@code hello} frame (which is never published): the transport's session concern
   */
  public Arrivals connection(DeviceIdentity identity, Transport transport, Optional<String> callerTrace,
      int maxInFlight, Function<ClientFrame, ServerFrame> hello) {
    return new Arrivals(this, identity, transport, callerTrace, maxInFlight, hello, producer.newLane());
  }

  /**
   * The sources of a transport without connections (CoAP): one per device while it has frames in the intake, so
   * that each device's frames reach Kafka in the order they were taken, from any number of threads.
   *
   * @param hello answers a {@code hello} frame
   */
  public DeviceArrivals devices(Transport transport, Function<ClientFrame, ServerFrame> hello) {
    // No in-flight bound of a device's own (there is no connection to hold it): its token bucket and the node's
    // admission bound it, as before the intake.
    return new DeviceArrivals(identity ->
        new Arrivals(this, identity, transport, Optional.empty(), Integer.MAX_VALUE, hello, producer.newLane()));
  }

  /**
   * A message over the size limit, of which the transport read only {@code prefix}: {@code TOO_LARGE}, with the
   * frame's message id when the prefix shows it.
   */
  public ServerFrame tooLarge(Transport transport, ByteBuffer prefix, long size) {
    GatewayMetrics.frameIn(transport, "oversized");
    String detail = "the frame has " + size + " bytes, more than the limit of " + maxFrameBytes;
    log.debug("Refused a {} frame with TOO_LARGE: {}", transport, detail);
    return ServerFrames.nack(peekMessageId(prefix), NackCode.TOO_LARGE, detail);
  }

  /**
   * Best effort: the message id of bytes that are refused before they are decoded (e.g. for a missing token), so
   * the client can tell which of its frames a nack is about; empty when it cannot be read.
   */
  public String peekMessageId(ByteBuffer bytes) {
    return decoder.peekMessageId(bytes);
  }

  /** decode → hello → degrade → the connection's bound → admit → in order: ownership, publish → answer. */
  CompletionStage<ServerFrame> take(Arrivals arrivals, ByteBuffer bytes) {
    Transport transport = arrivals.transport();
    DecodedFrame decoded = decoder.decode(bytes);
    if (decoded instanceof DecodedFrame.Invalid invalid) {
      GatewayMetrics.frameIn(transport, "invalid");
      TraceMdc.log(arrivals.callerTrace(),
          () -> log.debug("Refused a frame of {} with INVALID: {}", arrivals.identity(), invalid.detail()));
      return CompletableFuture.completedFuture(
          ServerFrames.nack(invalid.messageId(), NackCode.INVALID, invalid.detail()));
    }
    ClientFrame frame = ((DecodedFrame.Valid) decoded).frame();
    GatewayMetrics.frameIn(transport, frame);
    if (frame.hasHello()) {
      return CompletableFuture.completedFuture(arrivals.hello(frame));
    }
    Optional<ServerFrame> degraded = degradation.refusal(frame, retryAfter);
    if (degraded.isPresent()) {
      return CompletableFuture.completedFuture(degraded.get());
    }
    if (!arrivals.inFlight().tryAcquire(1)) {
      return CompletableFuture.completedFuture(ServerFrames.retryLater(frame.getMessageId(), retryAfter,
          "more than " + arrivals.inFlight().max() + " frames of this connection are waiting for Kafka"));
    }
    Optional<Admission.Refused> refused = admission.tryAdmit(arrivals.identity(), frame.getSerializedSize());
    if (refused.isPresent()) {
      arrivals.inFlight().release(1);
      TraceMdc.log(arrivals.callerTrace(), () -> log.debug("Frame {} of {} not admitted: {}", frame.getMessageId(),
          arrivals.identity(), refused.get().detail()));
      return CompletableFuture.completedFuture(
          ServerFrames.retryLater(frame.getMessageId(), refused.get().retryAfter(), refused.get().detail()));
    }
    IngressRecord record = IngressRecords.of(frame, arrivals.identity(), transport, clock.millis());
    return arrivals.inOrder(record);
  }

  /**
   * The answer of a frame that would wait for its turn while the Kafka breaker is open: it would be refused then, so
   * it is refused now (without asking its owner). Empty while the breaker lets frames through.
   */
  Optional<ServerFrame> refusalWhileBreakerOpen(Arrivals arrivals, IngressRecord record) {
    return producer.breaker().refusalWhileOpen().map(notTaken -> {
      TraceMdc.log(arrivals.callerTrace(), () -> log.debug("Frame {} of {} not taken: {}", record.getMessageId(),
          arrivals.identity(), notTaken.detail()));
      return answered(arrivals, record, ServerFrames.retryLater(record.getMessageId(), notTaken.retryAfter(),
          notTaken.detail()));
    });
  }

  /** The ownership check of a frame taken in; completes on the dispatcher (or at once when it does not apply). */
  CompletionStage<Optional<ServerFrame>> ownershipRefusal(Arrivals arrivals, ClientFrame frame) {
    return ownership.refusal(frame, arrivals.identity().userId());
  }

  /**
   * Hands the record to the lane of its arrivals (the caller keeps the lane's order) and turns Kafka's answer into the
   * client's; completes on the dispatcher.
   */
  CompletionStage<ServerFrame> publish(Arrivals arrivals, IngressRecord record) {
    // Synchronous: the lane's answer is completed on the dispatcher (PublishLane.publish).
    return arrivals.lane().publish(record, arrivals.callerTrace()).thenApply(published -> {
      if (published.result() instanceof PublishResult.NotTaken notTaken) {
        TraceMdc.log(published.trace(), () -> log.debug("Frame {} of {} not taken: {}", record.getMessageId(),
            arrivals.identity(), notTaken.detail()));
        return answered(arrivals, record, ServerFrames.retryLater(record.getMessageId(), notTaken.retryAfter(),
            notTaken.detail()));
      }
      return answered(arrivals, record, ServerFrames.ack(record.getMessageId()));
    });
  }

  /** A frame that was admitted has its answer: it no longer counts against its connection's and the node's bounds. */
  ServerFrame answered(Arrivals arrivals, IngressRecord record, ServerFrame answer) {
    arrivals.inFlight().release(1);
    // The same size as admitted: the decoded frame's encoded size, memoized by protobuf.
    admission.release(record.getFrame().getSerializedSize());
    return answer;
  }

  Executor dispatcher() {
    return dispatcher;
  }
}
