package io.herald.load.chaos;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Undecodable records written straight to herald.ingress while the load runs, as a buggy producer would. Each must
 * reach herald.dead-letter (same key) and the partitions must move on: the load's invariants still hold.
 */
final class PoisonRecords implements Fault {

  /** Topic names of docs/contract.md. */
  static final String INGRESS = "herald.ingress";
  static final String DEAD_LETTER = "herald.dead-letter";
  /** Eleven bytes of varint continuation: no protobuf message parses from them. */
  private static final byte[] UNDECODABLE = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
  private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(90);

  private final FaultTimings timings;

  PoisonRecords(FaultTimings timings) {
    this.timings = timings;
  }

  @Override
  public String name() {
    return "poison-records";
  }

  @Override
  public String description() {
    return "undecodable records produced straight to herald.ingress during the load; each must reach herald.dead-letter";
  }

  @Override
  public void strike(ChaosCluster cluster, LoadUnderFault load, FaultLog log) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Set<String> keys = new HashSet<>();
    log.injected(timings.poisonRecords() + " undecodable records to " + INGRESS);
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka().bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
        new StringSerializer(), new ByteArraySerializer())) {
      var sends = new java.util.ArrayList<Future<RecordMetadata>>();
      for (int i = 0; i < timings.poisonRecords(); i++) {
        // Distinct keys spread the records over the partitions, each in the way of real users' records.
        String key = "poison-" + run + "-" + i;
        keys.add(key);
        sends.add(producer.send(new ProducerRecord<>(INGRESS, key, UNDECODABLE)));
      }
      for (var send : sends) {
        send.get(60, TimeUnit.SECONDS);
      }
    }
    log.evidence("poison_produced", keys.size());
    long found = awaitDeadLetters(cluster.kafka().bootstrapServers(), keys);
    log.evidence("poison_dead_lettered", found);
    if (found < keys.size()) {
      log.problem((keys.size() - found) + " of " + keys.size() + " poison records not in " + DEAD_LETTER + " within "
          + DEAD_LETTER_TIMEOUT);
    }
    cluster.awaitWhole(timings.healTimeout());
    log.healed(found + " of " + keys.size() + " poison records in " + DEAD_LETTER);
  }

  /** Reads herald.dead-letter from the beginning until every key is there or the bound passes; returns how many. */
  private static long awaitDeadLetters(String bootstrap, Set<String> keys) {
    var missing = new HashSet<>(keys);
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(DEAD_LETTER, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + DEAD_LETTER_TIMEOUT.toNanos();
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(record -> missing.remove(record.key()));
      }
    }
    return keys.size() - missing.size();
  }
}
