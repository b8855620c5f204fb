package io.herald.node.ops;

import com.typesafe.config.Config;
import io.herald.protocol.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Operators' view of herald.dead-letter: list what is there, replay one record (by partition and offset) or all of
 * them back to herald.ingress with their original key, value and headers. Blocking Kafka calls: run it off the
 * actor threads. Bounded: at most {@code limit} records are read per call, within a deadline.
 */
final class DeadLetterAdmin {

  private static final String REASON = KafkaHeaders.DEAD_LETTER_REASON;
  private static final String SOURCE = KafkaHeaders.DEAD_LETTER_SOURCE;
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  record DeadLetter(int partition, long offset, String key, String messageId, String reason, String source, int bytes) {}

  private final String bootstrap;
  private final String deadLetterTopic;
  private final String ingressTopic;

  DeadLetterAdmin(Config config) {
    this.bootstrap = config.getString("herald.kafka.bootstrap-servers");
    this.deadLetterTopic = config.getString("herald.kafka.topics.dead-letter");
    this.ingressTopic = config.getString("herald.kafka.topics.ingress");
  }

  List<DeadLetter> list(int limit) {
    return read(limit).stream().map(r -> new DeadLetter(r.partition(), r.offset(), r.key(), header(r, KafkaHeaders.MESSAGE_ID),
        header(r, REASON), header(r, SOURCE), r.value() == null ? 0 : r.value().length)).toList();
  }

  /** Replays one record, or all when partition and offset are empty; returns how many went back to ingress. */
  int replay(Optional<Integer> partition, Optional<Long> offset, int limit) {
    var chosen = read(limit).stream()
        .filter(r -> partition.map(p -> p == r.partition()).orElse(true))
        .filter(r -> offset.map(o -> o == r.offset()).orElse(true))
        .toList();
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new ByteArraySerializer())) {
      for (var record : chosen) {
        var replayed = new ProducerRecord<>(ingressTopic, null, record.key(), record.value(), record.headers());
        replayed.headers().remove(REASON).remove(SOURCE);
        producer.send(replayed).get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Replay to " + ingressTopic + " failed: " + e.getMessage(), e);
    }
    return chosen.size();
  }

  private List<ConsumerRecord<String, byte[]>> read(int limit) {
    var records = new ArrayList<ConsumerRecord<String, byte[]>>();
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "herald-admin-" + UUID.randomUUID(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(deadLetterTopic, DEADLINE).stream()
          .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions, DEADLINE);
      var deadline = System.nanoTime() + DEADLINE.toNanos();
      while (records.size() < limit && System.nanoTime() < deadline
          && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (records.size() < limit) {
            records.add(record);
          }
        }
      }
    }
    return records;
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
