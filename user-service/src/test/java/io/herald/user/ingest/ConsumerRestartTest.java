package io.herald.user.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer killed in the middle of a batch (applied, not yet committed) leaves its records to the next one:
 * they are redelivered, answered as duplicates by the entities, and every record takes effect exactly once.
 */
@ExtendWith(InfraExtension.class)
class ConsumerRestartTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String INGRESS = "restart-test-" + RUN;
  private static final String GROUP = "restart-test-" + RUN;
  private static final int DEVICES = 4;
  private static final int PER_DEVICE = 150;

  @Test
  void recordsAppliedButNotCommittedAreRedeliveredAndAppliedOnce(Kafka kafka, Cassandra cassandra) throws Exception {
    var registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(INGRESS, 2, (short) 1))).all().get();
    }
    var devices = IntStream.range(0, DEVICES).mapToObj(i -> "d-" + i + "-" + RUN).toList();
    var props = Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < PER_DEVICE; i++) {
        for (var device : devices) {
          var user = "u-" + device;
          producer.send(new ProducerRecord<>(INGRESS, user, IngestTestNodes.telemetry(user, device, device + "/" + i).toByteArray()));
        }
      }
      producer.flush();
    }

    // First consumer, in its own JVM: commits would only happen after an hour, so whatever it applies is uncommitted
    // when it is killed (SIGKILL: no drain, no commit on stop).
    var first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CrashingConsumer.class.getName(),
        kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter(), INGRESS, GROUP, devices.get(0))
        .redirectErrorStream(true).start();
    try {
      var output = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
      // What it said before it ended, for the failure message: a crowded machine has seen it end early.
      var said = new java.util.ArrayDeque<String>();
      String line;
      do {
        line = output.readLine();
        if (line != null) {
          said.addLast(line);
          if (said.size() > 40) {
            said.removeFirst();
          }
        }
      } while (line != null && !line.startsWith(CrashingConsumer.APPLIED));
      assertTrue(line != null, () -> "the first consumer applied records before it ended; its last output:\n"
          + String.join("\n", said));
    } finally {
      first.destroyForcibly().waitFor();
    }
    assertEquals(0, committed(kafka), "nothing was committed before the consumer died");

    var second = node(kafka, cassandra, Map.of());
    try {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
        for (var device : devices) {
          if (IngestTestNodes.telemetryCount(second, device) < PER_DEVICE) {
            return false;
          }
        }
        return true;
      });
      for (var device : devices) {
        assertEquals(PER_DEVICE, IngestTestNodes.telemetryCount(second, device), "each record applied once on " + device);
      }
      var duplicates = registry.find("herald.ingest.records").tag("outcome", "duplicate").counter();
      assertTrue(duplicates != null && duplicates.count() > 0, "the first consumer's records came again");
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka) == (long) DEVICES * PER_DEVICE);
    } finally {
      second.terminate();
      second.getWhenTerminated().toCompletableFuture().get();
      Metrics.removeRegistry(registry);
    }
  }

  private static ActorSystem<Void> node(Kafka kafka, Cassandra cassandra, Map<String, Object> overrides) {
    return IngestTestNodes.start(kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter(), INGRESS,
        GROUP, null, overrides);
  }

  private static long committed(Kafka kafka) throws Exception {
    try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      var offsets = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }
  }
}
