package io.herald.gateway.coap;

import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.ServerFrames;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.intake.DeviceArrivals;
import io.herald.gateway.intake.Intake;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST coap://HOST:PORT/v1/messages}: payload one {@code ClientFrame}, token in the query {@code access_token}.
 * The frame goes through the gateway's {@link Intake} (the device's frames are one {@link DeviceArrivals} entry, kept
 * in the order they were taken); this resource only reads the exchange and writes the answer.
 *
 * <p>Ack after durable: a confirmable request whose answer is not decided at once is acknowledged with an empty ACK
 * (so the client stops retransmitting, and may send its next request) and answered later with a separate response,
 * {@code 2.04 Changed} + {@code ServerFrame(ack)}, once Kafka acknowledged it; no Californium thread waits for Kafka.
 * Refusals carry a {@code ServerFrame(nack)} with the code of {@link CoapCodes}: {@code 4.01} UNAUTHORIZED,
 * {@code 4.00} INVALID, {@code 4.13} TOO_LARGE, {@code 4.03} FORBIDDEN, {@code 4.04} UNKNOWN_DEVICE, {@code 5.03}
 * RETRY_LATER with Max-Age = retry-after (whole seconds, rounded up). A non-confirmable request takes the same path;
 * its response is non-confirmable too, so it may be lost (best effort).
 *
 * <p>Retransmissions of a confirmable request are answered by Californium's deduplicator (same message id from the
 * same peer within the exchange lifetime), so they are not produced twice. A client resending with a new CoAP message
 * id but the same frame message id is deduplicated downstream, as for every transport.
 */
final class MessagesResource extends CoapResource {

  static final String TOKEN_QUERY = "access_token";
  private static final Logger log = LoggerFactory.getLogger(MessagesResource.class);

  private final TokenVerifier verifier;
  private final Intake intake;
  private final DeviceArrivals devices;
  private final int maxFrameBytes;

  MessagesResource(TokenVerifier verifier, Intake intake, int maxFrameBytes) {
    super("messages");
    this.verifier = verifier;
    this.intake = intake;
    // hello opens a WebSocket session (resume point, pushes); a CoAP POST has no session to open.
    this.devices = intake.devices(Transport.COAP, hello -> ServerFrames.nack(hello.getMessageId(), NackCode.INVALID,
        "hello is for WebSocket sessions; over CoAP, POST the frames themselves and observe /v1/inbox for pushes"));
    this.maxFrameBytes = maxFrameBytes;
    getAttributes().setTitle("Herald ingress: POST one ClientFrame");
  }

  @Override
  public void handlePOST(CoapExchange exchange) {
    if (exchange.advanced().getRequest().getType() == CoAP.Type.NON) {
      // Its answer may be lost on the way and the client does not retransmit: best effort, so counted apart.
      GatewayMetrics.nonConfirmable();
    }
    byte[] payload = exchange.getRequestPayload();
    CompletableFuture<DeviceIdentity> identity =
        verifier.authenticate(exchange.getQueryParameter(TOKEN_QUERY)).toCompletableFuture();
    if (identity.isDone()) {
      take(exchange, payload, identity);
      return;
    }
    // The token names a signing key being fetched. No empty ACK until then: the device sends its next request only
    // after one, so its frames still reach the intake in order (and a retransmission is deduplicated by Californium).
    // Synchronous: the fetch completes on a Pekko dispatcher.
    identity.whenComplete((ignored, failure) -> take(exchange, payload, identity));
  }

  private void take(CoapExchange exchange, byte[] payload, CompletableFuture<DeviceIdentity> authenticated) {
    DeviceIdentity identity;
    try {
      identity = authenticated.join();
    } catch (RuntimeException failure) {
      InvalidTokenException e = InvalidTokenException.of(failure);
      log.debug("Refused a CoAP frame from {}: {}", exchange.getSourceSocketAddress(), e.getMessage());
      respond(exchange, ServerFrames.nack(intake.peekMessageId(ByteBuffer.wrap(payload)), NackCode.UNAUTHORIZED,
          e.getMessage()));
      return;
    }
    if (payload.length > maxFrameBytes) {
      respond(exchange, intake.tooLarge(Transport.COAP, ByteBuffer.wrap(payload), payload.length));
      return;
    }
    CompletableFuture<ServerFrame> answer = devices.take(identity, ByteBuffer.wrap(payload)).toCompletableFuture();
    if (answer.isDone()) {
      respond(exchange, answer.join());
      return;
    }
    // Empty ACK now, separate response later: the frame is taken (in order), its answer waits for Kafka.
    exchange.accept();
    // Synchronous: the intake's answer completes on the dispatcher (Arrivals.take).
    answer.thenAccept(frame -> respond(exchange, frame));
  }

  /** The answer as a CoAP response: {@code 2.04} for an ack, the nack's code otherwise (5.03 with Max-Age). */
  private static void respond(CoapExchange exchange, ServerFrame frame) {
    GatewayMetrics.replied(Transport.COAP, frame);
    Response response;
    if (frame.hasNack()) {
      Nack nack = frame.getNack();
      response = new Response(CoapCodes.forNack(nack.getCode()));
      if (nack.getCode() == NackCode.RETRY_LATER) {
        // Max-Age is in whole seconds: rounded up, so a client honouring it never comes back too early.
        response.getOptions().setMaxAge(Math.max(1, (nack.getRetryAfterMs() + 999) / 1000));
      }
    } else {
      response = new Response(ResponseCode.CHANGED);
    }
    response.setPayload(frame.toByteArray());
    response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    exchange.respond(response);
  }
}
