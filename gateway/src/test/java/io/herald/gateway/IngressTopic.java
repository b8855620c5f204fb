package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import io.herald.gateway.ingress.IngressProducer;
import io.herald.infra.Kafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The ingress topic as a test sees it: created if missing, and read from the beginning to find message ids. */
final class IngressTopic implements AutoCloseable {

  static final String NAME = "herald.ingress";

  private final KafkaConsumer<String, byte[]> consumer;
  private final Set<String> messageIds = new HashSet<>();
  private final Map<String, Integer> copies = new HashMap<>();
  // Message ids by record key (the user id), in offset order: one key is on one partition.
  private final Map<String, List<String>> messageIdsByKey = new HashMap<>();

  private IngressTopic(KafkaConsumer<String, byte[]> consumer) {
    this.consumer = consumer;
  }

  /** Creates the topic (3 partitions) unless another test class of this JVM did already. */
  static void create(Kafka kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(NAME, 3, (short) 1))).all().get(30, SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  static IngressTopic reader(Kafka kafka) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(NAME).stream().map(p -> new TopicPartition(NAME, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return new IngressTopic(consumer);
  }

  /** Waits (up to {@code atMost}) until every one of {@code expected} message ids has been read from the topic. */
  void awaitMessageIds(Set<String> expected, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInSameThread() // KafkaConsumer is single-threaded
        .until(
            () -> {
              consumer
                  .poll(Duration.ofMillis(200))
                  .forEach(
                      record -> {
                        Header id = record.headers().lastHeader(IngressProducer.MESSAGE_ID_HEADER);
                        String messageId = new String(id.value(), StandardCharsets.UTF_8);
                        messageIds.add(messageId);
                        copies.merge(messageId, 1, Integer::sum);
                        messageIdsByKey.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(messageId);
                      });
              return messageIds.containsAll(expected);
            });
  }

  /** The message ids of the records with this key (a user id) read so far, in the order they are in the topic. */
  List<String> messageIdsOfKey(String key) {
    return List.copyOf(messageIdsByKey.getOrDefault(key, List.of()));
  }

  /** How many records with this message id were read so far. */
  int copiesOf(String messageId) {
    return copies.getOrDefault(messageId, 0);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
