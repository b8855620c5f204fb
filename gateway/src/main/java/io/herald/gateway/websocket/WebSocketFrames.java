package io.herald.gateway.websocket;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameLogger$;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko HTTP's WebSocket stack (unmasking, frame logging, control frames and the close handshake, keep-alive), with
 * Herald's {@link MessageLayer} on top in place of Pekko's message API, and the upgrade response that runs it for a
 * session.
 *
 * <p>Pekko HTTP offers a connection's frames only through internal API ({@code UpgradeToWebSocketLowLevel.handleFrames}
 * and the layers of {@code WebSocket.stack}, public in the bytecode). This class is the one place that uses it: an
 * upgrade of Pekko HTTP that changes it fails to compile here or fails {@code WebSocketIngressTest}.
 */
final class WebSocketFrames {

  /** Pekko HTTP's own default for a server's WebSocket ({@code WebSocket.stack}'s {@code closeTimeout}). */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private final BidiFlow<FrameEvent, InboundMessage, ByteString, FrameEvent, NotUsed> stack;

  /**
   * @param system whose configuration has the server's WebSocket settings ({@code pekko.http.server.websocket})
   * @param maxMessageBytes the largest message kept; longer ones are read to their end and reported as oversized
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  WebSocketFrames(ClassicActorSystemProvider system, int maxMessageBytes) {
    WebSocketSettings settings = ServerSettings.apply(system.classicSystem().settings().config()).websocketSettings();
    LoggingAdapter log = system.classicSystem().log();
    WebSocket$ webSocket = WebSocket$.MODULE$;
    FiniteDuration closeTimeout = FiniteDuration.create(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    // Raw types: the layers' Scala variance (FrameStart is a FrameEvent) is invisible to Java's generics.
    BidiFlow lower = webSocket.masking(true, settings.randomFactory())
        .atop((Graph) FrameLogger$.MODULE$.logFramesIfEnabled(settings.logFrames()))
        .atop((Graph) webSocket.frameHandling(true, closeTimeout, log))
        .atop((Graph) webSocket.periodicKeepAlive(settings));
    this.stack = lower.atop(new MessageLayer(maxMessageBytes, CLOSE_TIMEOUT));
  }

  /**
   * The response that upgrades {@code request} to a WebSocket running {@code session}, or empty when the request
   * asks for no upgrade.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Optional<HttpResponse> upgrade(HttpRequest request, Flow<InboundMessage, ByteString, NotUsed> session) {
    return request.getAttribute(AttributeKeys.webSocketUpgrade)
        .filter(UpgradeToWebSocketLowLevel.class::isInstance)
        .map(upgrade -> ((UpgradeToWebSocketLowLevel) upgrade)
            .handleFrames((Graph) stack.join(session), Option.empty()));
  }
}
