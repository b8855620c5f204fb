package io.herald.gateway.websocket;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.herald.gateway.auth.BearerToken;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.gateway.intake.Intake;
import io.herald.signals.tracing.TraceMdc;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Rejections;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ws://HOST:PORT/v1/ws}: authenticates the upgrade request, then runs a {@link WebSocketSession} for it. The
 * token comes from {@code Authorization: Bearer} or, for clients that cannot set headers on a WebSocket (browsers),
 * the query parameter {@code access_token}. A missing or refused token gets {@code 401} with the reason as text, and
 * no WebSocket.
 */
public final class WebSocketEndpoint {

  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final TokenVerifier verifier;
  private final WebSocketSettings settings;
  private final Intake intake;
  private final SessionFlow sessionFlow;
  private final WebSocketFrames frames;
  private final Downlink downlink;
  private final Executor dispatcher;
  private final Clock clock;

  public WebSocketEndpoint(
      TokenVerifier verifier,
      WebSocketSettings settings,
      Intake intake,
      Downlink downlink,
      ClassicActorSystemProvider system,
      Executor dispatcher,
      Clock clock) {
    this.verifier = verifier;
    this.settings = settings;
    this.intake = intake;
    this.sessionFlow = new SessionFlow(settings);
    this.frames = new WebSocketFrames(system, settings.maxFrameBytes());
    this.downlink = downlink;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  public Route route() {
    return path(segment("v1").slash("ws"), () -> extractRequest(this::authenticateAndUpgrade));
  }

  private Route authenticateAndUpgrade(HttpRequest request) {
    // Complete at once unless the token names a signing key not fetched yet (TokenVerifier.authenticate).
    return onComplete(verifier.authenticate(token(request).orElse(null)), identity -> identity.isSuccess()
        ? upgrade(request, identity.get())
        : refuse(callerTrace(request), InvalidTokenException.of(identity.failed().get())));
  }

  private Route upgrade(HttpRequest request, DeviceIdentity identity) {
    WebSocketSession session =
        new WebSocketSession(identity, callerTrace(request), settings, sessionFlow, intake, downlink, dispatcher, clock);
    return frames.upgrade(request, session.flow())
        .map(response -> complete(response))
        .orElseGet(() -> reject(Rejections.expectedWebSocketRequest()));
  }

  private static Optional<String> callerTrace(HttpRequest request) {
    return request.getHeader(IngressProducer.TRACEPARENT_HEADER).map(HttpHeader::value);
  }

  private static Route refuse(Optional<String> callerTrace, InvalidTokenException e) {
    TraceMdc.log(callerTrace, () -> log.debug("Refused a WebSocket upgrade: {} ({})", e.getMessage(), e.reason()));
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.UNAUTHORIZED)
            .addHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("herald")))
            .withEntity(e.getMessage()));
  }

  private static Optional<String> token(HttpRequest request) {
    Optional<String> bearer = BearerToken.of(request);
    return bearer.isPresent() ? bearer : request.getUri().query().get("access_token");
  }

}
