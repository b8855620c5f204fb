package io.herald.gateway.ingress;

import io.herald.gateway.GatewayMetrics;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes one connection's records in the order they are given, without blocking the caller.
 *
 * <p>Order matters: all records of a user go to one partition, and entities apply them in partition order. The
 * producer keeps the order of its {@code send} calls (idempotence on, at most 5 requests in flight), so the lane only
 * has to call {@code send} for record n+1 after the call for record n has returned. Each call runs on the send
 * executor, chained after the previous one; the caller gets the acknowledgement stage at once.
 *
 * <p>Every record goes through the gateway's {@link KafkaBreaker}, which bounds the wait for Kafka's answer.
 *
 * <p>Not thread-safe: one call at a time, each after the one before it (the intake's {@code Arrivals} of a connection
 * or CoAP device calls it so). How many records a lane holds is bounded by the caller (a connection's in-flight
 * bound, the node's admission).
 */
public final class PublishLane {

  private final IngressProducer producer;
  private final Executor sendExecutor;
  private final KafkaBreaker breaker;
  private final Tracing tracing;
  private CompletableFuture<?> previousHandOver = CompletableFuture.completedFuture(null);

  PublishLane(IngressProducer producer, Executor sendExecutor, KafkaBreaker breaker, Tracing tracing) {
    this.producer = producer;
    this.sendExecutor = sendExecutor;
    this.breaker = breaker;
    this.tracing = tracing;
  }

  /**
   * Completes with {@link PublishResult.Durable} when Kafka acknowledged the record, otherwise with a {@link
   * PublishResult.NotTaken} (each with the record's publish span context), always within the breaker's answer timeout; never exceptionally. While the breaker is
   * open the record is not handed to Kafka at all. The record's publish span lasts until that answer; a valid
   * {@code callerTraceparent} (the caller's W3C trace context) makes it part of the caller's trace. The stage is
   * completed on the dispatcher and may be continued synchronously.
   */
  public CompletionStage<Published> publish(IngressRecord record, Optional<String> callerTraceparent) {
    long start = System.nanoTime();
    Span span = tracing.startPublish(callerTraceparent, record.getMessageId(), record.getUserId(), record.getDeviceId());
    String traceparent = Tracing.traceparent(span);
    // Synchronous: the breaker's answer is completed on the dispatcher (KafkaBreaker.guard).
    return breaker.guard(() -> handOver(record, traceparent))
        .whenComplete((result, failure) -> {
          boolean durable = result instanceof PublishResult.Durable;
          GatewayMetrics.produced(durable, start);
          span.setAttribute(Tracing.OUTCOME, durable ? "durable" : "not_taken");
          if (!durable) {
            span.setStatus(StatusCode.ERROR);
          }
          span.end();
        })
        // Synchronous: a trivial pairing on the thread that completed the answer (the dispatcher).
        .thenApply(result -> new Published(result, span.getSpanContext()));
  }

  /**
   * How publishing a record ended, with its publish span's context: log lines about the record carry its trace
   * ({@link io.herald.signals.tracing.TraceMdc}).
   */
  public record Published(PublishResult result, SpanContext trace) {}

  private CompletionStage<RecordMetadata> handOver(IngressRecord record, String traceparent) {
    // handle (not then): a failed hand-over must not stop the records after it.
    CompletableFuture<CompletionStage<RecordMetadata>> handOver =
        previousHandOver.handleAsync((previous, failure) -> producer.send(record, traceparent), sendExecutor);
    previousHandOver = handOver;
    // Synchronous: handOver is this lane's own future, completed on the send executor, and identity is trivial.
    return handOver.thenCompose(Function.identity());
  }
}
