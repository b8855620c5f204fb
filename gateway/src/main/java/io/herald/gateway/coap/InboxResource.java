package io.herald.gateway.coap;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.downlink.Downlink;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.Transport;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET coap://HOST:PORT/v1/inbox?access_token=T[&last_seq=N]} with Observe: the CoAP downlink. Registering opens
 * a session actor attached to the token's user (as a WebSocket hello does), answered with a {@code welcome}; from then
 * on each notification is one {@code ServerFrame(push)}, confirmable, and the next is sent only when the client
 * acknowledged the previous one, so pushes arrive in order and none is replaced in transit. Pushes waiting for the
 * client are bounded (the push buffer): a client that does not acknowledge them in time has its observation cancelled
 * (a last 5.03 with a slow-subscriber nack) and re-registers with {@code last_seq}; the User entity replays from there.
 * Acknowledging pushes to the entity is the client's {@code push_ack}, POSTed like any frame.
 */
final class InboxResource extends CoapResource {

  static final String LAST_SEQ_QUERY = "last_seq";
  private static final Logger log = LoggerFactory.getLogger(InboxResource.class);

  private final TokenVerifier verifier;
  private final Downlink downlink;
  private final int pushBuffer;
  private final Materializer materializer;
  private final Executor dispatcher;
  private final Clock clock;
  // One observer per registration, reached by its relation when Californium asks for its next notification.
  private final Map<ObserveRelation, Observer> observers = new ConcurrentHashMap<>();

  InboxResource(TokenVerifier verifier, Downlink downlink, int pushBuffer, Materializer materializer,
      Executor dispatcher, Clock clock) {
    super("inbox");
    this.verifier = verifier;
    this.downlink = downlink;
    this.pushBuffer = pushBuffer;
    this.materializer = materializer;
    this.dispatcher = dispatcher;
    this.clock = clock;
    setObservable(true);
    setObserveType(Type.CON);
    getAttributes().setTitle("Herald downlink: observe for ServerFrame(push) notifications");
    getAttributes().setObservable();
  }

  @Override
  public void handleGET(CoapExchange exchange) {
    ObserveRelation relation = exchange.advanced().getRelation();
    Observer observer = relation == null ? null : observers.get(relation);
    if (observer != null) {
      observer.sendNext(exchange);
      return;
    }
    CompletableFuture<DeviceIdentity> identity =
        verifier.authenticate(exchange.getQueryParameter(MessagesResource.TOKEN_QUERY)).toCompletableFuture();
    if (identity.isDone()) {
      register(exchange, relation, identity);
    } else {
      // The token names a signing key being fetched. Synchronous: the fetch completes on a Pekko dispatcher.
      identity.whenComplete((ignored, failure) -> register(exchange, relation, identity));
    }
  }

  private void register(CoapExchange exchange, ObserveRelation relation,
      CompletableFuture<DeviceIdentity> authenticated) {
    DeviceIdentity identity;
    try {
      identity = authenticated.join();
    } catch (RuntimeException failure) {
      respond(exchange, ResponseCode.UNAUTHORIZED,
          ServerFrames.nack("", NackCode.UNAUTHORIZED, InvalidTokenException.of(failure).getMessage()), null);
      return;
    }
    long lastSeq;
    try {
      String query = exchange.getQueryParameter(LAST_SEQ_QUERY);
      lastSeq = query == null ? 0 : Long.parseLong(query);
    } catch (NumberFormatException e) {
      lastSeq = -1;
    }
    if (lastSeq < 0) {
      // As a WebSocket hello.last_seq: a push sequence the client saw, 0 for none.
      respond(exchange, ResponseCode.BAD_REQUEST,
          ServerFrames.nack("", NackCode.INVALID, "last_seq must be a number, 0 or more"), null);
      return;
    }
    if (relation == null) {
      respond(exchange, ResponseCode.BAD_REQUEST,
          ServerFrames.nack("", NackCode.INVALID, "GET /v1/inbox needs the Observe option (0: register)"), null);
      return;
    }
    observers.put(relation, new Observer(relation, identity, lastSeq));
    respond(exchange, ResponseCode.CONTENT, ServerFrames.welcome(identity, lastSeq, clock.millis()), null);
  }

  /** The registration was answered and the relation established: notifications can go out, the session opens. */
  @Override
  public void addObserveRelation(ObserveRelation relation) {
    super.addObserveRelation(relation);
    Observer observer = observers.get(relation);
    if (observer != null) {
      observer.open();
    }
  }

  @Override
  public void removeObserveRelation(ObserveRelation relation) {
    super.removeObserveRelation(relation);
    Observer observer = observers.remove(relation);
    if (observer != null) {
      observer.close();
    }
  }

  private static void respond(CoapExchange exchange, ResponseCode code, ServerFrame frame, MessageObserverAdapter sent) {
    GatewayMetrics.replied(Transport.COAP, frame);
    Response response = new Response(code);
    response.setPayload(frame.toByteArray());
    response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    if (sent != null) {
      response.addMessageObserver(sent);
    }
    exchange.respond(response);
  }

  /** One observation: its session actor's pushes, sent one notification at a time. */
  private final class Observer {
    private final ObserveRelation relation;
    private final DeviceIdentity identity;
    private final long lastSeq;
    private volatile Downlink.Session session;
    // The push being notified and the promise its acknowledgement completes; set by the stream, read by handleGET.
    private volatile ServerFrame next;
    private volatile CompletableFuture<Done> acknowledged;

    Observer(ObserveRelation relation, DeviceIdentity identity, long lastSeq) {
      this.relation = relation;
      this.identity = identity;
      this.lastSeq = lastSeq;
    }

    void open() {
      var queue = Source.<ServerFrame>queue(pushBuffer).preMaterialize(materializer);
      session = downlink.open(identity, lastSeq, queue.first(), pushBuffer);
      queue.second()
          .mapAsync(1, this::notify)
          .runWith(Sink.ignore(), materializer)
          .whenCompleteAsync((done, failure) -> {
            if (failure != null && !relation.isCanceled()) {
              log.info("Cancelling the inbox observation of {}: {}", identity, failure.getMessage());
              next = ServerFrames.sessionClosed(java.time.Duration.ofSeconds(1), failure.getMessage());
              changed(candidate -> candidate == relation);
              relation.cancel();
            }
          }, dispatcher);
    }

    /** Sends one push as the relation's next notification; completes when the client acknowledged it. */
    private CompletionStage<Done> notify(ServerFrame push) {
      var sent = new CompletableFuture<Done>();
      next = push;
      acknowledged = sent;
      changed(candidate -> candidate == relation);
      return sent;
    }

    void sendNext(CoapExchange exchange) {
      ServerFrame frame = next;
      CompletableFuture<Done> sent = acknowledged;
      if (frame == null) {
        return;
      }
      // A push, or a welcome that says pushes were missed; anything else ends the observation.
      respond(exchange, frame.hasPush() || frame.hasWelcome() ? ResponseCode.CONTENT : ResponseCode.SERVICE_UNAVAILABLE, frame,
          new MessageObserverAdapter() {
            @Override
            public void onAcknowledgement() {
              sent.complete(Done.getInstance());
            }

            @Override
            public void onTimeout() {
              sent.completeExceptionally(new IllegalStateException("the observer did not acknowledge a push"));
            }

            @Override
            public void onReject() {
              sent.completeExceptionally(new IllegalStateException("the observer rejected a push"));
            }
          });
    }

    void close() {
      Downlink.Session open = session;
      if (open != null) {
        open.close();
      }
      CompletableFuture<Done> pending = acknowledged;
      if (pending != null) {
        pending.completeExceptionally(new IllegalStateException("observation ended"));
      }
    }
  }
}
