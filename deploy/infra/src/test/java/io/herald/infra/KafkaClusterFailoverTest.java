package io.herald.infra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dedicated three-broker cluster: acknowledged writes go on, and are kept, when one broker is killed. */
class KafkaClusterFailoverTest {

    private final Path dataDir = Path.of(System.getProperty("herald.infra.dir",
            System.getProperty("java.io.tmpdir")), "failover-test-" + UUID.randomUUID()).toAbsolutePath();
    private KafkaCluster kafka;

    @Test
    void threeBrokersSurviveTheLossOfOne() throws Exception {
        kafka = KafkaCluster.builder().brokers(3).dataDir(dataDir).heap("256m").start();
        String topic = "failover";
        try (Admin admin = Admin.create(Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // Replication factor 3 and min.insync.replicas 2 come from the cluster defaults.
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) -1))).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "a", "before")).get(60, TimeUnit.SECONDS);
            kafka.killBroker(0);
            producer.send(new ProducerRecord<>(topic, "a", "during")).get(60, TimeUnit.SECONDS);
        }
        kafka.startBroker(0);
        kafka.stopBroker(1);
        assertEquals(List.of("before", "during"), readAll(topic, 2));
    }

    @AfterEach
    void cleanUp() {
        if (kafka != null) {
            kafka.close();
        }
        Directories.deleteRecursively(dataDir);
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new StringSerializer(), new StringSerializer());
    }

    private List<String> readAll(String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= expected;
            });
            return values;
        }
    }
}
