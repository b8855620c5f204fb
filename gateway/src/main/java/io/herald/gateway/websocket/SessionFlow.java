package io.herald.gateway.websocket;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.downlink.SlowSubscriberException;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.Transport;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.StreamIdleTimeoutException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The flow every WebSocket session runs, built once per endpoint (building it, about 15 operators, cost each connect
 * as much as Pekko HTTP's upgrade did); each connection materializes it with its own {@link WebSocketSession}.
 *
 * <pre>
 * messages (read within the size limit by {@link MessageLayer}) -> idle timeout -> the session's intake (decode,
 *          degrade, admit, ownership, publish) -> answers (bounded) + pushes -> messages
 * </pre>
 *
 * <p>Per-session state comes from the materialization: {@link BindSession} pairs each message with the session, the
 * push queue and the stream's end are handed to the session ({@link WebSocketSession#opened}), and the idle close
 * travels as an element ({@link InboundMessage.Idle}) and is held back until everything else is out.
 */
final class SessionFlow {

  /** What one materialization gives its connection. */
  private record Materialized(
      AtomicReference<WebSocketSession> session, BoundedSourceQueue<ServerFrame> pushes, CompletionStage<Done> done) {}

  private final ServerFrame idleClose;
  private final Flow<InboundMessage, ByteString, Materialized> blueprint;

  SessionFlow(WebSocketSettings settings) {
    ServerFrame slowSubscriberClose =
        ServerFrames.sessionClosed(
            settings.retryAfter(), new SlowSubscriberException(settings.pushBuffer()).getMessage());
    this.idleClose =
        ServerFrames.sessionClosed(
            settings.retryAfter(),
            "no message for " + settings.idleTimeout().toSeconds() + " s: the session is closed as idle (send "
                + "heartbeats to keep it open)");
    this.blueprint = Flow.<InboundMessage>create()
        // Not Pekko's idleTimeout, which looks every second (a timer firing per held session per second).
        .via(new IdleTimeout<>(settings.idleTimeout()))
        // Completing (rather than failing) closes the WebSocket with a normal close frame once replies are out; the
        // mark in its place becomes the idle close below.
        .recoverWithRetries(1, StreamIdleTimeoutException.class, () -> Source.single(new InboundMessage.Idle()))
        .viaMat(new BindSession(), Keep.right())
        // One slot more than the in-flight limit, so an immediate answer always finds room.
        .mapAsyncUnordered(settings.maxInFlight() + 1, arrival -> arrival.session().take(arrival.message()))
        .map(answer -> GatewayMetrics.replied(Transport.WEBSOCKET, answer))
        // Pushes from the cluster join the replies; the session ends when the client's side does.
        .mergeMat(Source.<ServerFrame>queue(settings.pushBuffer()), Keep.both(), true)
        // The push queue overflowed: say why in a last frame, then close normally.
        .recoverWithRetries(1, SlowSubscriberException.class, () -> Source.single(slowSubscriberClose))
        // Idle: say why in a last frame too, after the answers still on their way.
        .via(new LastWord<>(idleClose))
        .buffer(settings.outgoingBuffer(), OverflowStrategy.backpressure())
        .map(frame -> ByteString.fromArrayUnsafe(frame.toByteArray()))
        .watchTermination((bound, done) -> new Materialized(bound.first(), bound.second(), done));
  }

  /** The frame that closes a session whose client sent nothing within the idle timeout. */
  ServerFrame idleClose() {
    return idleClose;
  }

  /** The flow of one connection: the shared blueprint, bound to {@code session} when it is materialized. */
  Flow<InboundMessage, ByteString, NotUsed> forSession(WebSocketSession session) {
    return blueprint.mapMaterializedValue(materialized -> {
      materialized.session().set(session);
      session.opened(materialized.pushes(), materialized.done());
      return NotUsed.getInstance();
    });
  }
}
