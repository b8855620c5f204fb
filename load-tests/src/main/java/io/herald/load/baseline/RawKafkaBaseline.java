package io.herald.load.baseline;

import io.herald.load.LocalTargets;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What Kafka alone sustains on this machine: a plain {@link KafkaProducer} configured like Herald's gateway (acks=all,
 * idempotent, 5 requests in flight, linger 5 ms, lz4), records of the size of Herald's ingress records with its four
 * headers, keyed by user id over as many users as the scenario has, into its own topic ({@value #TOPIC}, created
 * when missing with as many partitions as {@code herald.ingress}). Nothing else is touched.
 */
public final class RawKafkaBaseline {

  /** The baseline's own topic; old records in it are harmless (never read). */
  public static final String TOPIC = "herald.baseline";

  /** {@code herald.kafka.topics.ingress-partitions}' default: the same spread over partitions as Herald's. */
  public static final int PARTITIONS = 12;

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private RawKafkaBaseline() {}

  /**
   * @param bootstrapServers {@code host:port} of this machine[,...]
   * @param replicationFactor of the topic when it has to be created (1 on a single broker)
   * @throws BaselineException when the topic cannot be created or its metadata fetched
   */
  public static BaselineResult run(String bootstrapServers, short replicationFactor, BaselineSettings settings) {
    requireLocal(bootstrapServers);
    createTopic(bootstrapServers, replicationFactor);
    var producer = new KafkaProducer<String, byte[]>(producerProperties(bootstrapServers));
    try {
      try {
        producer.partitionsFor(TOPIC);
      } catch (RuntimeException e) {
        throw new BaselineException("no metadata for " + TOPIC + " at " + bootstrapServers, e);
      }
      return BoundedLoad.run(BaselineResult.RAW_KAFKA, settings, i -> {
        long key = i % settings.keys();
        IngressRecord record = SampleRecords.ingressRecord(key, i);
        var sent = new CompletableFuture<Void>();
        producer.send(new ProducerRecord<>(TOPIC, null, record.getUserId(), record.toByteArray(), headers(record)),
            (metadata, failure) -> {
              if (failure == null) {
                sent.complete(null);
              } else {
                sent.completeExceptionally(failure);
              }
            });
        return sent;
      });
    } finally {
      // Bounded: after a failed drain the producer may still hold records for an unreachable broker.
      producer.close(CLOSE_TIMEOUT);
    }
  }

  /** The gateway's producer settings (gateway reference.conf, {@code kafka-producer.kafka-clients}). */
  static Properties producerProperties(String bootstrapServers) {
    var properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    // send() may block on a full buffer; a bounded block keeps the measured window bounded.
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "herald-baseline-" + UUID.randomUUID().toString().substring(0, 8));
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return properties;
  }

  private static List<Header> headers(IngressRecord record) {
    return List.of(
        header("message_id", record.getMessageId()),
        header("user", record.getUserId()),
        header("device", record.getDeviceId()),
        // A W3C traceparent of the real length.
        header("traceparent", String.format("00-%s-%016x-01", UUID.randomUUID().toString().replace("-", ""),
            ThreadLocalRandom.current().nextLong())));
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void createTopic(String bootstrapServers, short replicationFactor) {
    try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, replicationFactor))).all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new BaselineException("cannot create topic " + TOPIC + " at " + bootstrapServers, e.getCause());
      }
    } catch (TimeoutException | RuntimeException e) {
      throw new BaselineException("cannot create topic " + TOPIC + " at " + bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BaselineException("interrupted creating " + TOPIC, e);
    }
  }

  private static void requireLocal(String bootstrapServers) {
    for (String server : bootstrapServers.split(",")) {
      int colon = server.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("Kafka bootstrap must be HOST:PORT[,...], got " + bootstrapServers);
      }
      LocalTargets.requireLocal(java.net.InetSocketAddress.createUnresolved(
          server.substring(0, colon).strip().replace("[", "").replace("]", ""),
          Integer.parseInt(server.substring(colon + 1).strip())));
    }
  }
}
