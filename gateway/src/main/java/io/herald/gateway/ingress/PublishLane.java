package io.herald.gateway.ingress;

import io.herald.gateway.GatewayMetrics;
import io.herald.protocol.ingress.v1.IngressRecord;
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
 * <p>Not thread-safe: one caller (a connection's stream stage) at a time. How many records a lane holds is bounded
 * by the caller (the WebSocket in-flight limit).
 */
public final class PublishLane {

  private final IngressProducer producer;
  private final Executor sendExecutor;
  private final KafkaBreaker breaker;
  private CompletableFuture<?> previousHandOver = CompletableFuture.completedFuture(null);

  PublishLane(IngressProducer producer, Executor sendExecutor, KafkaBreaker breaker) {
    this.producer = producer;
    this.sendExecutor = sendExecutor;
    this.breaker = breaker;
  }

  /**
   * Completes with {@link PublishResult.Durable} when Kafka acknowledged the record, otherwise with a {@link
   * PublishResult.NotTaken}, always within the breaker's answer timeout; never exceptionally. While the breaker is
   * open the record is not handed to Kafka at all.
   */
  public CompletionStage<PublishResult> publish(IngressRecord record, TraceParent trace) {
    long start = System.nanoTime();
    return breaker.guard(() -> handOver(record, trace))
        .whenComplete((result, failure) -> GatewayMetrics.produced(result instanceof PublishResult.Durable, start));
  }

  private CompletionStage<RecordMetadata> handOver(IngressRecord record, TraceParent trace) {
    // handle (not then): a failed hand-over must not stop the records after it.
    CompletableFuture<CompletionStage<RecordMetadata>> handOver =
        previousHandOver.handleAsync((previous, failure) -> producer.send(record, trace), sendExecutor);
    previousHandOver = handOver;
    return handOver.thenCompose(Function.identity());
  }
}
