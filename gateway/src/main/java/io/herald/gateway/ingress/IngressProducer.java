package io.herald.gateway.ingress;

import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.tracing.Tracing;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link IngressRecord}s to the ingress topic with key = user id and the headers {@code message_id},
 * {@code user}, {@code device}, {@code traceparent}. One per gateway, shared by all connections (KafkaProducer is
 * thread-safe and batches across them). Publishing goes through a {@link PublishLane} per connection (or CoAP device),
 * which keeps its order and keeps {@code send} off the caller's thread.
 */
public final class IngressProducer {

  public static final String MESSAGE_ID_HEADER = "message_id";
  public static final String USER_HEADER = "user";
  public static final String DEVICE_HEADER = "device";
  public static final String TRACEPARENT_HEADER = "traceparent";

  private static final Logger log = LoggerFactory.getLogger(IngressProducer.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final KafkaProducerSettings settings;
  private final Executor sendExecutor;
  private final KafkaBreaker breaker;
  private final Tracing tracing;
  /** Null for a client given by a unit test. */
  private KafkaClientMetrics clientMetrics;

  /**
   * @param sendExecutor runs the calls that may block (send, metadata, close); a dedicated pool so a slow Kafka
   *     cannot stall the threads that run streams and actors
   * @param breaker shared by all lanes: Kafka is down for everyone at once
   * @param tracing makes each record's publish span, whose context the record carries in its traceparent header
   */
  public IngressProducer(
      KafkaProducerSettings settings, String topic, Executor sendExecutor, KafkaBreaker breaker,
      Tracing tracing) {
    this(new KafkaProducer<>(settings.properties()), settings, topic, sendExecutor, breaker, tracing);
    // The client's own metrics (buffer, batch sizes, request latency, errors) as kafka_producer_* on /metrics.
    clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(Metrics.globalRegistry);
  }

  /** As the other constructor, with the Kafka client given: a unit test passes Kafka's {@code MockProducer}. */
  public IngressProducer(
      Producer<String, byte[]> producer, KafkaProducerSettings settings, String topic, Executor sendExecutor,
      KafkaBreaker breaker, Tracing tracing) {
    this.producer = producer;
    this.topic = topic;
    this.settings = settings;
    this.sendExecutor = sendExecutor;
    this.breaker = breaker;
    this.tracing = tracing;
  }

  /** A new lane for one connection's (or one CoAP device's) records. */
  public PublishLane newLane() {
    return new PublishLane(this, sendExecutor, breaker, tracing);
  }

  public KafkaBreaker breaker() {
    return breaker;
  }

  /**
   * Hands the record to the producer. The stage completes when Kafka acknowledged it (as configured: acks=all) or
   * gave up on it. The call itself may block up to {@code max.block.ms} (topic metadata unknown, buffer full), so it
   * is only called through a {@link PublishLane}.
   */
  CompletionStage<RecordMetadata> send(IngressRecord record, String traceparent) {
    List<Header> headers =
        List.of(
            header(MESSAGE_ID_HEADER, record.getMessageId()),
            header(USER_HEADER, record.getUserId()),
            header(DEVICE_HEADER, record.getDeviceId()),
            header(TRACEPARENT_HEADER, traceparent));
    ProducerRecord<String, byte[]> producerRecord =
        new ProducerRecord<>(topic, null, record.getUserId(), record.toByteArray(), headers);
    CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
    try {
      producer.send(
          producerRecord,
          (metadata, failure) -> {
            // Runs on the producer's I/O thread: only complete the future here, never do work.
            if (failure == null) {
              acknowledged.complete(metadata);
            } else {
              acknowledged.completeExceptionally(failure);
            }
          });
    } catch (RuntimeException e) {
      // e.g. the producer is closed (shutdown in progress): the client retries elsewhere or later.
      acknowledged.completeExceptionally(e);
    }
    return acknowledged;
  }

  /**
   * Fetches the ingress topic's metadata in the background, so the first frame does not wait for it inside
   * {@code send}. A failure is only logged: the producer keeps trying by itself.
   */
  public CompletionStage<Done> warmUp() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            int partitions = producer.partitionsFor(topic).size();
            log.info("Kafka topic {} has {} partitions", topic, partitions);
          } catch (RuntimeException e) {
            log.warn("Could not fetch metadata of Kafka topic {} yet (does it exist?): {}", topic, e.toString());
          }
          return Done.getInstance();
        },
        sendExecutor);
  }

  /** Sends what is buffered (waiting up to the close timeout), then releases the producer. */
  public CompletionStage<Done> close() {
    return CompletableFuture.supplyAsync(
        () -> {
          producer.close(settings.closeTimeout());
          if (clientMetrics != null) {
            clientMetrics.close();
          }
          log.info("Kafka producer for {} closed", topic);
          return Done.getInstance();
        },
        sendExecutor);
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
