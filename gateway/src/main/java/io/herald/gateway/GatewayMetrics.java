package io.herald.gateway;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's series, in Micrometer's global registry (the node exports it on /metrics): frames in by kind and
 * transport, acks, nacks by code, Kafka produce latency, open sessions, breaker state.
 */
public final class GatewayMetrics {

  private static final Map<String, Counter> counters = new ConcurrentHashMap<>();
  // The counters of every frame (frames in by body kind, acks, nacks by code), looked up by enum ordinals: no key is
  // built per frame. Filled lazily; a race registers the same meter twice, which Micrometer answers with one meter.
  private static final Counter[][] framesIn =
      new Counter[Transport.values().length][ClientFrame.BodyCase.values().length];
  private static final Counter[] acks = new Counter[Transport.values().length];
  private static final Counter[][] nacks = new Counter[Transport.values().length][NackCode.values().length];
  private static final AtomicInteger openSessions = new AtomicInteger();
  private static final Timer produceDurable = produceTimer("durable");
  private static final Timer produceNotTaken = produceTimer("not_taken");

  static {
    Gauge.builder("herald.gateway.sessions.open", openSessions, AtomicInteger::get)
        .description("Open WebSocket sessions").register(Metrics.globalRegistry);
  }

  private GatewayMetrics() {}

  /** A frame arrived: its body kind, or why it has none (undecodable, oversized, text). */
  public static void frameIn(Transport transport, String kind) {
    count("herald.gateway.frames.in", "Frames received", "transport", name(transport), "kind", kind);
  }

  public static void frameIn(Transport transport, ClientFrame frame) {
    ClientFrame.BodyCase kind = frame.getBodyCase();
    Counter counter = framesIn[transport.ordinal()][kind.ordinal()];
    if (counter == null) {
      counter = framesIn[transport.ordinal()][kind.ordinal()] = counter("herald.gateway.frames.in", "Frames received",
          "transport", name(transport), "kind", kind.name().toLowerCase(Locale.ROOT));
    }
    counter.increment();
  }

  /** A non-confirmable CoAP POST: taken like any other, but its answer may be lost (best effort). */
  public static void nonConfirmable() {
    count("herald.gateway.coap.non.confirmable", "Non-confirmable CoAP POSTs (best effort)");
  }

  /** A REST read refused because its user is past their read rate. */
  public static void readRefused() {
    count("herald.gateway.rest.reads.refused", "REST reads refused with 429: the user is past their read rate");
  }

  /** A token refused (on a WebSocket upgrade, a REST read or a CoAP request), by reason. */
  public static void tokenRefused(io.herald.gateway.auth.InvalidTokenException.Reason reason) {
    count("herald.gateway.tokens.refused", "Tokens refused, by reason", "reason",
        reason.name().toLowerCase(Locale.ROOT));
  }

  /** A fetch of the identity provider's signing keys (JWKS) ended. */
  public static void jwksFetched(boolean ok) {
    count("herald.gateway.jwks.fetches", "Fetches of the identity provider's signing keys", "outcome",
        ok ? "ok" : "failed");
  }

  /** A REST read answered from memory because its entity did not answer (stale-if-error). */
  public static void staleRead() {
    count("herald.gateway.rest.stale.reads", "REST reads answered stale, from memory, because the entity did not answer");
  }

  /** What the client was answered: acks, and nacks by code. Returns the frame, to sit in a reply chain. */
  public static ServerFrame replied(Transport transport, ServerFrame frame) {
    if (frame.hasAck()) {
      Counter counter = acks[transport.ordinal()];
      if (counter == null) {
        counter = acks[transport.ordinal()] =
            counter("herald.gateway.acks", "Frames acked after Kafka had them", "transport", name(transport));
      }
      counter.increment();
    } else if (frame.hasNack()) {
      NackCode code = frame.getNack().getCode();
      Counter counter = nacks[transport.ordinal()][code.ordinal()];
      if (counter == null) {
        counter = nacks[transport.ordinal()][code.ordinal()] = counter("herald.gateway.nacks",
            "Frames refused, by code", "transport", name(transport), "code", code.name());
      }
      counter.increment();
    }
    return frame;
  }

  public static void produced(boolean durable, long startNanos) {
    (durable ? produceDurable : produceNotTaken).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  public static void sessionOpened() {
    openSessions.incrementAndGet();
  }

  public static void sessionClosed() {
    openSessions.decrementAndGet();
  }

  /** The Kafka breaker: 0 closed, 1 half-open, 2 open. */
  public static void breakerState(Supplier<Number> state) {
    Gauge.builder("herald.gateway.kafka.breaker.state", state).description("0 closed, 1 half-open, 2 open")
        .register(Metrics.globalRegistry);
  }

  private static Timer produceTimer(String outcome) {
    return Timer.builder("herald.gateway.kafka.produce").description("From send to Kafka's acknowledgement or refusal")
        .tag("outcome", outcome).publishPercentileHistogram().register(Metrics.globalRegistry);
  }

  private static void count(String name, String description, String... tags) {
    counter(name, description, tags).increment();
  }

  private static Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(name + String.join(",", tags),
        key -> Counter.builder(name).description(description).tags(tags).register(Metrics.globalRegistry));
  }

  private static String name(Transport transport) {
    return transport.name().toLowerCase(Locale.ROOT);
  }
}
