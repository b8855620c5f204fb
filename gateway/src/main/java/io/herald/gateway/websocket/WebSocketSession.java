package io.herald.gateway.websocket;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.intake.Arrivals;
import io.herald.gateway.intake.Intake;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.tracing.TraceMdc;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated WebSocket connection: reads the client's messages, hands each to the gateway's {@link Intake}
 * (the connection is one {@link Arrivals} of the intake) and writes the answers and pushes. The connection runs the endpoint's {@link SessionFlow}, built once, with this object as its per-session state.
 *
 * <p>The intake answers {@code ack} only after Kafka acknowledged a frame, refusals at once, and keeps the
 * connection's frames in arrival order on their way to Kafka. At most {@code max-in-flight} frames of a connection
 * wait for Kafka; one more is answered {@code RETRY_LATER} at once instead of back-pressuring, so the client learns
 * at once that it is pushing too fast and frames that are cheap to answer (hello, invalid ones) are not held behind
 * Kafka. Answers go out as they are ready; a client that does not read them fills the bounded outgoing buffer and is
 * back-pressured.
 *
 * <p>Downlink: the first {@code hello} opens the session's actor ({@link Downlink}), which attaches to the user's
 * entity; pushes come through a bounded queue merged into the replies. A client that does not read them overflows the
 * queue and the session is closed with a last frame that says why (slow subscriber); the client resumes by seq.
 */
final class WebSocketSession {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

  private final DeviceIdentity identity;
  private final WebSocketSettings settings;
  private final SessionFlow flow;
  private final Intake intake;
  private final Arrivals arrivals;
  private final Downlink downlink;
  private final Executor dispatcher;
  private final Clock clock;
  // Set on the first hello by the stream's stage, read when the stream ends (another thread).
  // The upgrade request's traceparent: the session's log lines carry its trace.
  private final Optional<String> callerTrace;
  private final AtomicReference<Downlink.Session> downlinkSession = new AtomicReference<>();
  // Set when the session's stream is materialized, before its first message is handled; read by that stream's stage.
  private volatile BoundedSourceQueue<ServerFrame> pushes;

  /**
   * @param callerTrace the {@code traceparent} of the upgrade request, if it carried one; each frame's publish span
   *     is then part of that trace, otherwise it starts a trace of its own
   * @param flow the endpoint's session flow, which this session runs
   * @param dispatcher runs the continuation of the stream's end
   */
  WebSocketSession(
      DeviceIdentity identity,
      Optional<String> callerTrace,
      WebSocketSettings settings,
      SessionFlow flow,
      Intake intake,
      Downlink downlink,
      Executor dispatcher,
      Clock clock) {
    this.identity = identity;
    this.callerTrace = callerTrace;
    this.settings = settings;
    this.flow = flow;
    this.intake = intake;
    this.arrivals =
        intake.connection(identity, Transport.WEBSOCKET, callerTrace, settings.maxInFlight(), this::greet);
    this.downlink = downlink;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /** The session's flow: the endpoint's shared {@link SessionFlow}, bound to this session; call once. */
  Flow<InboundMessage, ByteString, NotUsed> flow() {
    return flow.forSession(this);
  }

  /**
   * The session's stream was materialized, before its first message is handled: {@code pushes} is its push queue
   * (materialized with the session's own stream, so no actor or hop of its own), {@code done} completes when the
   * stream ends.
   */
  void opened(BoundedSourceQueue<ServerFrame> pushes, CompletionStage<Done> done) {
    this.pushes = pushes;
    TraceMdc.log(callerTrace, () -> log.debug("Session of {} opened", identity));
    GatewayMetrics.sessionOpened();
    done.whenCompleteAsync(
        (ok, failure) -> {
          TraceMdc.log(callerTrace, () -> log.debug("Session of {} closed", identity));
          GatewayMetrics.sessionClosed();
          // The push queue ended with the stream (merge cancels it); the session actor detaches and stops.
          Downlink.Session session = downlinkSession.get();
          if (session != null) {
            session.close();
          }
        },
        dispatcher);
  }

  /** One message of the client, read; called by the stream's stage, one at a time in arrival order. */
  CompletionStage<ServerFrame> take(InboundMessage message) {
    if (message instanceof InboundMessage.Idle) {
      TraceMdc.log(callerTrace, () -> log.debug("Closing idle session of {}", identity));
      return CompletableFuture.completedFuture(flow.idleClose());
    }
    if (message instanceof InboundMessage.Text) {
      GatewayMetrics.frameIn(Transport.WEBSOCKET, "text");
      TraceMdc.log(callerTrace, () -> log.debug("Refused a text message of {}", identity));
      return CompletableFuture.completedFuture(ServerFrames.nack(
          "", NackCode.INVALID, "text messages are not accepted: send each ClientFrame as one binary message"));
    }
    if (message instanceof InboundMessage.Oversized oversized) {
      return CompletableFuture.completedFuture(
          intake.tooLarge(Transport.WEBSOCKET, oversized.prefix().asByteBuffer(), oversized.size()));
    }
    return arrivals.take(((InboundMessage.Binary) message).bytes().asByteBuffer());
  }

  /** The intake's answer to a hello: the first one attaches the session to the user's entity. */
  private ServerFrame greet(ClientFrame hello) {
    long lastSeq = hello.getHello().getLastSeq();
    // The entity replays the pushes after last_seq. A later hello on the same connection changes nothing: the
    // session is attached already. Called by the stream's stage (Source.take), like the rest of the session's state.
    if (downlinkSession.get() == null) {
      downlinkSession.set(downlink.open(identity, lastSeq, pushes, settings.pushBuffer()));
    }
    return ServerFrames.welcome(identity, lastSeq, clock.millis());
  }
}
