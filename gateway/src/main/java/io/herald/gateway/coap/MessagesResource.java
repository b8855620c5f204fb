package io.herald.gateway.coap;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.admission.Admission;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
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
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST coap://HOST:PORT/v1/messages}: payload one {@code ClientFrame}, token in the query {@code access_token}.
 *
 * <p>Ack after durable: a confirmable request is acknowledged at once with an empty ACK (so the client stops
 * retransmitting) and answered later with a separate response, {@code 2.04 Changed} + {@code ServerFrame(ack)}, from
 * the Kafka producer's callback; no Californium thread waits for Kafka. Refusals carry a {@code ServerFrame(nack)}:
 * {@code 4.01} UNAUTHORIZED, {@code 4.00} INVALID, {@code 4.13} TOO_LARGE, {@code 5.03} RETRY_LATER with Max-Age =
 * retry-after (whole seconds, rounded up). A non-confirmable request takes the same path; its response is
 * non-confirmable too, so it may be lost (best effort).
 *
 * <p>Retransmissions of a confirmable request are answered by Californium's deduplicator (same message id from the
 * same peer within the exchange lifetime), so they are not produced twice. A client resending with a new CoAP message
 * id but the same frame message id is deduplicated downstream, as for every transport.
 */
final class MessagesResource extends CoapResource {

  static final String TOKEN_QUERY = "access_token";
  private static final Logger log = LoggerFactory.getLogger(MessagesResource.class);

  private final TokenVerifier verifier;
  private final FrameDecoder decoder;
  private final Admission admission;
  private final Ownership ownership;
  private final Degradation degradation;
  private final Duration retryAfter;
  private final IngressProducer producer;
  private final int maxFrameBytes;
  private final Executor dispatcher;
  private final Clock clock;

  MessagesResource(
      TokenVerifier verifier,
      FrameDecoder decoder,
      Admission admission,
      Ownership ownership,
      Degradation degradation,
      Duration retryAfter,
      IngressProducer producer,
      int maxFrameBytes,
      Executor dispatcher,
      Clock clock) {
    super("messages");
    this.verifier = verifier;
    this.decoder = decoder;
    this.admission = admission;
    this.ownership = ownership;
    this.degradation = degradation;
    this.retryAfter = retryAfter;
    this.producer = producer;
    this.maxFrameBytes = maxFrameBytes;
    this.dispatcher = dispatcher;
    this.clock = clock;
    getAttributes().setTitle("Herald ingress: POST one ClientFrame");
  }

  @Override
  public void handlePOST(CoapExchange exchange) {
    if (exchange.advanced().getRequest().getType() == CoAP.Type.NON) {
      // Its answer may be lost on the way and the client does not retransmit: best effort, so counted apart.
      GatewayMetrics.nonConfirmable();
    }
    byte[] payload = exchange.getRequestPayload();
    DeviceIdentity identity;
    try {
      identity = verifier.verify(exchange.getQueryParameter(TOKEN_QUERY));
    } catch (InvalidTokenException e) {
      refuse(exchange, peekMessageId(payload), NackCode.UNAUTHORIZED, e.getMessage());
      return;
    }
    if (payload.length > maxFrameBytes) {
      refuse(
          exchange,
          peekMessageId(payload),
          NackCode.TOO_LARGE,
          "the frame has " + payload.length + " bytes, more than the limit of " + maxFrameBytes);
      return;
    }
    DecodedFrame decoded = decoder.decode(ByteBuffer.wrap(payload));
    if (decoded instanceof DecodedFrame.Invalid invalid) {
      GatewayMetrics.frameIn(Transport.COAP, "invalid");
      refuse(exchange, invalid.messageId(), NackCode.INVALID, invalid.detail());
      return;
    }
    ClientFrame frame = ((DecodedFrame.Valid) decoded).frame();
    GatewayMetrics.frameIn(Transport.COAP, frame);
    if (frame.hasHello()) {
      // hello opens a WebSocket session (resume point, pushes); a CoAP POST has no session to open.
      refuse(
          exchange,
          frame.getMessageId(),
          NackCode.INVALID,
          "hello is for WebSocket sessions; over CoAP, POST the frames themselves and observe /v1/inbox for pushes");
      return;
    }
    Optional<ServerFrame> degraded = degradation.refusal(frame, retryAfter);
    if (degraded.isPresent()) {
      answer(exchange, degraded.get());
      return;
    }
    Optional<Admission.Refused> refused = admission.tryAdmit(identity);
    if (refused.isPresent()) {
      retryLater(exchange, frame.getMessageId(), refused.get().retryAfter(), refused.get().detail());
      return;
    }
    publish(exchange, identity, frame);
  }

  private void publish(CoapExchange exchange, DeviceIdentity identity, ClientFrame frame) {
    // Empty ACK now, separate response later: the client stops retransmitting, and the answer waits for Kafka.
    exchange.accept();
    IngressRecord record = IngressRecords.of(frame, identity, Transport.COAP, clock.millis());
    ownership
        .refusal(frame, identity.userId())
        .thenAcceptAsync(
            refusal -> {
              if (refusal.isPresent()) {
                admission.release();
                answer(exchange, refusal.get());
              } else {
                produce(exchange, identity, record);
              }
            },
            dispatcher);
  }

  private void produce(CoapExchange exchange, DeviceIdentity identity, IngressRecord record) {
    // Each request is independent (CoAP clients send one confirmable request at a time), so a lane of its own.
    producer
        .newLane()
        .publish(record, Optional.empty())
        // Synchronous: the lane's answer is completed on the dispatcher (PublishLane.publish).
        .thenAccept(
            result -> {
              admission.release();
              if (result instanceof PublishResult.NotTaken notTaken) {
                log.debug("CoAP frame {} of {} not taken: {}", record.getMessageId(), identity, notTaken.detail());
                retryLater(exchange, record.getMessageId(), notTaken.retryAfter(), notTaken.detail());
              } else {
                respond(exchange, ResponseCode.CHANGED, ServerFrames.ack(record.getMessageId()), Optional.empty());
              }
            });
  }

  private void retryLater(CoapExchange exchange, String messageId, Duration retryAfter, String detail) {
    // Max-Age is in whole seconds: rounded up, so a client honouring it never comes back too early.
    long maxAgeSeconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    respond(
        exchange,
        CoapCodes.forNack(NackCode.RETRY_LATER),
        ServerFrames.retryLater(messageId, retryAfter, detail),
        Optional.of(maxAgeSeconds));
  }

  /** A nack decided elsewhere (e.g. the ownership check), with the code and Max-Age that go with it. */
  private void answer(CoapExchange exchange, ServerFrame nack) {
    var code = nack.getNack().getCode();
    if (code == NackCode.RETRY_LATER) {
      retryLater(exchange, nack.getNack().getMessageId(), Duration.ofMillis(nack.getNack().getRetryAfterMs()),
          nack.getNack().getDetail());
    } else {
      refuse(exchange, nack.getNack().getMessageId(), code, nack.getNack().getDetail());
    }
  }

  private void refuse(CoapExchange exchange, String messageId, NackCode code, String detail) {
    log.debug("Refused a CoAP frame from {} with {}: {}", exchange.getSourceSocketAddress(), code, detail);
    respond(exchange, CoapCodes.forNack(code), ServerFrames.nack(messageId, code, detail), Optional.empty());
  }

  private static void respond(
      CoapExchange exchange, ResponseCode code, ServerFrame frame, Optional<Long> maxAgeSeconds) {
    GatewayMetrics.replied(Transport.COAP, frame);
    Response response = new Response(code);
    response.setPayload(frame.toByteArray());
    response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    maxAgeSeconds.ifPresent(seconds -> response.getOptions().setMaxAge(seconds));
    exchange.respond(response);
  }

  private String peekMessageId(byte[] payload) {
    return decoder.peekMessageId(ByteBuffer.wrap(payload));
  }
}
