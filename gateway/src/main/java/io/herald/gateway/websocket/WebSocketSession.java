package io.herald.gateway.websocket;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.admission.Admission;
import io.herald.gateway.admission.InFlightLimit;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.downlink.SlowSubscriberException;
import io.herald.gateway.ingress.IngressRecords;
import io.herald.gateway.ingress.PublishLane;
import io.herald.gateway.ingress.PublishResult;
import io.herald.gateway.validation.DecodedFrame;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.Ownership;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.StreamIdleTimeoutException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated WebSocket connection: turns the client's messages into replies.
 *
 * <pre>
 * messages -> idle timeout -> read within the size limit -> decode, validate, admit -> publish or answer at once
 *          -> replies (bounded) -> messages
 * </pre>
 *
 * <p>Ack after durable: a frame for Kafka is answered with {@code ack} only when the producer callback reported
 * success, and with {@code RETRY_LATER} when Kafka did not take it, did not answer within the answer bound, or the
 * Kafka breaker is open. No thread waits for Kafka meanwhile.
 *
 * <p>Bounded: at most {@code max-in-flight} frames of a connection are waiting for Kafka, and the node's {@link
 * Admission} (device token bucket, node-wide in-flight bound) must take each frame. A frame beyond that is
 * answered {@code RETRY_LATER} at once instead of back-pressuring, so the client learns at once that it is pushing
 * too fast and frames that are already cheap to answer (hello, invalid ones) are not held behind Kafka. Replies go out
 * as they are ready (acks in Kafka's order, which for one partition is the send order); a client that does not read
 * them fills the bounded outgoing buffer and is back-pressured.
 *
 * <p>Downlink: the first {@code hello} opens the session's actor ({@link Downlink}), which attaches to the user's
 * entity; pushes come through a bounded queue merged into the replies. A client that does not read them overflows the
 * queue and the session is closed with a last frame that says why (slow subscriber); the client resumes by seq.
 *
 * <p>Order: frames are handed to Kafka in the order they arrived (through the connection's {@link PublishLane}), and
 * all of a user's frames share a partition (key = user id). A frame that waits for its ownership check
 * ({@code set_desired}) holds the frames after it until it is handed over or refused; the lane is called by one
 * thread at a time, each call after the one before it.
 */
final class WebSocketSession {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

  /** What to do with one incoming message. */
  private sealed interface Step {
    record Reply(ServerFrame frame) implements Step {}

    record Publish(IngressRecord record) implements Step {}
  }

  private final DeviceIdentity identity;
  private final Optional<String> callerTrace;
  private final WebSocketSettings settings;
  private final MessageReader reader;
  private final FrameDecoder decoder;
  private final PublishLane lane;
  private final InFlightLimit inFlight;
  private final Admission admission;
  private final Downlink downlink;
  private final Ownership ownership;
  private final Degradation degradation;
  private final Executor dispatcher;
  private final Clock clock;
  // Set on the first hello by the stream's stage, read when the stream ends (another thread).
  private final AtomicReference<Downlink.Session> downlinkSession = new AtomicReference<>();
  // Set when the session's stream is materialized, before its first message is handled; read by that stream's stage.
  private volatile BoundedSourceQueue<ServerFrame> pushes;
  // Completes when the latest frame for Kafka was handed to the lane (or refused). Read and replaced only by the
  // stream's reply stage, which handles one message at a time.
  private CompletableFuture<?> previousHandOver = CompletableFuture.completedFuture(null);

  /**
   * @param callerTrace the {@code traceparent} of the upgrade request, if it carried one; each frame's publish span
   *     is then part of that trace, otherwise it starts a trace of its own
   * @param dispatcher runs the continuations of the ownership check's and Kafka's answers
   */
  WebSocketSession(
      DeviceIdentity identity,
      Optional<String> callerTrace,
      WebSocketSettings settings,
      MessageReader reader,
      FrameDecoder decoder,
      PublishLane lane,
      Admission admission,
      Downlink downlink,
      Ownership ownership,
      Degradation degradation,
      Executor dispatcher,
      Clock clock) {
    this.identity = identity;
    this.callerTrace = callerTrace;
    this.settings = settings;
    this.reader = reader;
    this.decoder = decoder;
    this.lane = lane;
    this.inFlight = new InFlightLimit(settings.maxInFlight());
    this.admission = admission;
    this.downlink = downlink;
    this.ownership = ownership;
    this.degradation = degradation;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /** The session's flow; call once (it owns the session's push queue). */
  Flow<Message, Message, NotUsed> flow() {
    // Materialized with the session's own stream, not pre-materialized: preMaterialize runs the queue as a stream of
    // its own (an actor) behind a fan-out publisher (another actor), two actors and a hop per session for nothing.
    Source<ServerFrame, NotUsed> pushQueue =
        Source.<ServerFrame>queue(settings.pushBuffer())
            .mapMaterializedValue(
                queue -> {
                  pushes = queue;
                  return NotUsed.getInstance();
                });
    ServerFrame slowSubscriberClose =
        ServerFrames.sessionClosed(
            settings.retryAfter(), new SlowSubscriberException(settings.pushBuffer()).getMessage());
    ServerFrame idleClose =
        ServerFrames.sessionClosed(
            settings.retryAfter(),
            "no message for " + settings.idleTimeout().toSeconds() + " s: the session is closed as idle (send "
                + "heartbeats to keep it open)");
    AtomicBoolean closedAsIdle = new AtomicBoolean();
    return Flow.<Message>create()
        .idleTimeout(settings.idleTimeout())
        // Completing (rather than failing) closes the WebSocket with a normal close frame once replies are out.
        .recoverWithRetries(
            1,
            StreamIdleTimeoutException.class,
            () -> {
              log.debug("Closing idle session of {}", identity);
              closedAsIdle.set(true);
              return Source.empty();
            })
        // One message at a time: a streamed message must be read to its end before the next one arrives.
        .mapAsync(1, reader::read)
        .map(this::handle)
        // One slot more than the in-flight limit, so an immediate answer always finds room.
        .mapAsyncUnordered(inFlight.max() + 1, this::reply)
        // Pushes from the cluster join the replies; the session ends when the client's side does.
        .merge(pushQueue, true)
        // The push queue overflowed: say why in a last frame, then close normally.
        .recoverWithRetries(1, SlowSubscriberException.class, () -> Source.single(slowSubscriberClose))
        // Idle: say why in a last frame too.
        // concatLazy: plain concat would pull (and so create) the lazy source at once, before the session is idle.
        .concatLazy(Source.lazySource(() -> closedAsIdle.get() ? Source.single(idleClose) : Source.empty()))
        .buffer(settings.outgoingBuffer(), OverflowStrategy.backpressure())
        .<Message>map(frame -> BinaryMessage.create(ByteString.fromArrayUnsafe(frame.toByteArray())))
        .watchTermination(
            (notUsed, done) -> {
              log.debug("Session of {} opened", identity);
              GatewayMetrics.sessionOpened();
              done.whenCompleteAsync(
                  (ok, failure) -> {
                    log.debug("Session of {} closed", identity);
                    GatewayMetrics.sessionClosed();
                    // The push queue ended with the stream (merge cancels it); the session actor detaches and stops.
                    Downlink.Session session = downlinkSession.get();
                    if (session != null) {
                      session.close();
                    }
                  },
                  dispatcher);
              return notUsed;
            });
  }

  private Step handle(InboundMessage message) {
    if (message instanceof InboundMessage.Text) {
      GatewayMetrics.frameIn(Transport.WEBSOCKET, "text");
      return refuse(
          "", NackCode.INVALID, "text messages are not accepted: send each ClientFrame as one binary message");
    }
    if (message instanceof InboundMessage.Oversized oversized) {
      GatewayMetrics.frameIn(Transport.WEBSOCKET, "oversized");
      return refuse(
          decoder.peekMessageId(oversized.prefix().asByteBuffer()),
          NackCode.TOO_LARGE,
          "the frame has "
              + oversized.size()
              + " bytes, more than the limit of "
              + settings.maxFrameBytes());
    }
    DecodedFrame decoded = decoder.decode(((InboundMessage.Binary) message).bytes().asByteBuffer());
    if (decoded instanceof DecodedFrame.Invalid invalid) {
      GatewayMetrics.frameIn(Transport.WEBSOCKET, "invalid");
      return refuse(invalid.messageId(), NackCode.INVALID, invalid.detail());
    }
    ClientFrame frame = ((DecodedFrame.Valid) decoded).frame();
    GatewayMetrics.frameIn(Transport.WEBSOCKET, frame);
    return accept(frame);
  }

  private Step accept(ClientFrame frame) {
    if (frame.hasHello()) {
      long lastSeq = frame.getHello().getLastSeq();
      // The first hello attaches the session to the user's entity, which replays the pushes after last_seq. A later
      // hello on the same connection changes nothing: the session is attached already.
      if (downlinkSession.get() == null) {
        downlinkSession.set(downlink.open(identity, lastSeq, pushes, settings.pushBuffer()));
      }
      return new Step.Reply(ServerFrames.welcome(identity, lastSeq, clock.millis()));
    }
    Optional<ServerFrame> degraded = degradation.refusal(frame, settings.retryAfter());
    if (degraded.isPresent()) {
      return new Step.Reply(degraded.get());
    }
    if (!inFlight.tryAcquire()) {
      return new Step.Reply(
          ServerFrames.retryLater(
              frame.getMessageId(),
              settings.retryAfter(),
              "more than " + inFlight.max() + " frames of this connection are waiting for Kafka"));
    }
    Optional<Admission.Refused> refused = admission.tryAdmit(identity);
    if (refused.isPresent()) {
      inFlight.release();
      log.debug("Frame {} of {} not admitted: {}", frame.getMessageId(), identity, refused.get().detail());
      return new Step.Reply(
          ServerFrames.retryLater(frame.getMessageId(), refused.get().retryAfter(), refused.get().detail()));
    }
    IngressRecord record = IngressRecords.of(frame, identity, Transport.WEBSOCKET, clock.millis());
    return new Step.Publish(record);
  }

  private Step refuse(String messageId, NackCode code, String detail) {
    log.debug("Refused a frame of {} with {}: {}", identity, code, detail);
    return new Step.Reply(ServerFrames.nack(messageId, code, detail));
  }

  private CompletionStage<ServerFrame> reply(Step step) {
    if (step instanceof Step.Reply reply) {
      return CompletableFuture.completedFuture(GatewayMetrics.replied(Transport.WEBSOCKET, reply.frame()));
    }
    IngressRecord record = ((Step.Publish) step).record();
    if (!Ownership.applies(record.getFrame()) && previousHandOver.isDone()) {
      return publish(record);
    }
    // Frames reach the lane in arrival order: this one after the one before it was handed over and after its own
    // ownership check, however long either takes; the frames after it wait for it in turn (only this connection's).
    // The check answers at once (nothing to refuse) for a frame it does not apply to.
    CompletionStage<Optional<ServerFrame>> refusal = ownership.refusal(record.getFrame(), identity.userId());
    CompletableFuture<CompletionStage<ServerFrame>> handedOver = previousHandOver.thenCombineAsync(refusal,
        (previous, refused) -> {
          if (refused.isPresent()) {
            inFlight.release();
            admission.release();
            return CompletableFuture.completedFuture(GatewayMetrics.replied(Transport.WEBSOCKET, refused.get()));
          }
          return publish(record);
        },
        dispatcher);
    // A failure here (there should be none) must not stop the frames after this one.
    previousHandOver = handedOver.handle((answer, failure) -> null);
    // Synchronous: handedOver completes on the dispatcher, and so does publish's answer.
    return handedOver.thenCompose(answer -> answer);
  }

  private CompletionStage<ServerFrame> publish(IngressRecord record) {
    // Synchronous: the lane's answer is completed on the dispatcher (PublishLane.publish).
    return lane.publish(record, callerTrace)
        .thenApply(
            result -> {
              inFlight.release();
              admission.release();
              if (result instanceof PublishResult.NotTaken notTaken) {
                log.debug("Frame {} of {} not taken: {}", record.getMessageId(), identity, notTaken.detail());
                return GatewayMetrics.replied(Transport.WEBSOCKET,
                    ServerFrames.retryLater(record.getMessageId(), notTaken.retryAfter(), notTaken.detail()));
              }
              return GatewayMetrics.replied(Transport.WEBSOCKET, ServerFrames.ack(record.getMessageId()));
            });
  }
}
