package io.herald.user.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.cluster.UserSignal;
import io.herald.user.UserService;
import io.herald.user.device.DeviceEntity;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The herald.ingress pipeline on real Kafka and Cassandra, in a one-node cluster. */
@ExtendWith(InfraExtension.class)
class IngestPipelineTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String INGRESS = "ingest-test-" + RUN;
  private static final String DEAD_LETTER = "ingest-test-dead-" + RUN;

  private static ActorTestKit testKit;
  private static KafkaProducer<String, byte[]> producer;
  private static String bootstrap;
  private static Cassandra store;

  @BeforeAll
  static void start(Kafka kafka, Cassandra cassandra) throws Exception {
    bootstrap = kafka.bootstrapServers();
    store = cassandra;
    Config config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "herald.kafka.bootstrap-servers", bootstrap,
        "herald.kafka.topics.ingress", INGRESS,
        "herald.kafka.topics.dead-letter", DEAD_LETTER,
        "herald.user.ingest.group-id", "ingest-test-" + RUN,
        "herald.user.ingest.retry.max-attempts", 2,
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "pekko.actor.provider", "cluster",
        "pekko.cluster.roles", List.of(UserService.ROLE),
        "pekko.remote.artery.canonical.port", 0)).withFallback(ConfigFactory.defaultApplication()));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      // One partition: "the records behind" a poison record are really behind it.
      admin.createTopics(List.of(new NewTopic(INGRESS, 1, (short) 1), new NewTopic(DEAD_LETTER, 1, (short) 1))).all().get();
    }
    // The node's registry (/metrics) in this JVM: without one the global registry counts nothing.
    Metrics.addRegistry(new SimpleMeterRegistry());
    testKit = ActorTestKit.create("ingest-test", config);
    var cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    UserService.initSharding(testKit.system(), config);
    UserService.start(testKit.system(), config);
    var props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    if (producer != null) producer.close();
    if (testKit != null) testKit.shutdownTestKit();
  }

  @Test
  void aPoisonRecordGoesToTheDeadLetterTopicWithItsReasonAndTheRecordsBehindItAreApplied() throws Exception {
    var device = "d-" + UUID.randomUUID();
    send("u-1", "not protobuf at all".getBytes(StandardCharsets.UTF_8));
    // A tombstone (no value at all) failed the consumer's stream, and again on the same record after each restart.
    send("u-1", null);
    for (int i = 0; i < 3; i++) {
      send("u-1", telemetry("u-1", device, "m-" + UUID.randomUUID()).toByteArray());
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(3, telemetryCount(device)));

    try (var consumer = deadLetterConsumer()) {
      var dead = new ArrayList<ConsumerRecord<String, byte[]>>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
        return dead.size() >= 2;
      });
      assertEquals(2, dead.size());
      assertEquals("not protobuf at all", new String(dead.get(0).value(), StandardCharsets.UTF_8));
      var reason = new String(dead.get(0).headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
      assertTrue(reason.startsWith("undecodable IngressRecord"), reason);
      assertEquals(INGRESS + "-0@0", new String(dead.get(0).headers().lastHeader(DeadLetters.SOURCE).value(), StandardCharsets.UTF_8));
      assertEquals(null, dead.get(1).value());
      var tombstone = new String(dead.get(1).headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
      assertTrue(tombstone.startsWith("no value (a tombstone)"), tombstone);
    }
  }

  @Test
  void aRedeliveredRecordIsAppliedOnce() throws Exception {
    var device = "d-" + UUID.randomUUID();
    var record = telemetry("u-2", device, "m-" + UUID.randomUUID());
    send("u-2", record.toByteArray());
    send("u-2", record.toByteArray());
    var marker = telemetry("u-2", device, "m-" + UUID.randomUUID());
    send("u-2", marker.toByteArray());
    // Once the record after both copies is applied, both copies have been through the entity.
    await().atMost(Duration.ofSeconds(60)).until(() -> telemetryCount(device) == 2);
    assertEquals(2, telemetryCount(device));
  }

  @Test
  void aBacklogOfOneDeviceIsAppliedInBatchesEachRecordOnceAndInOrder() throws Exception {
    var device = "d-" + UUID.randomUUID();
    var batches = Metrics.globalRegistry.find("herald.ingest.batch.records").summary();
    long batchesBefore = batches == null ? 0 : batches.count();
    // All at once (one flush): they reach the consumer together and queue behind the device's first record.
    IngressRecord redelivered = null;
    for (int i = 0; i < 300; i++) {
      var record = telemetry("u-4", device, "m-" + UUID.randomUUID(), i);
      producer.send(new ProducerRecord<>(INGRESS, "u-4", record.toByteArray()));
      if (i == 100) {
        redelivered = record;
      }
      if (i == 150) {
        producer.send(new ProducerRecord<>(INGRESS, "u-4", redelivered.toByteArray()));
      }
    }
    producer.flush();
    await().atMost(Duration.ofSeconds(60)).until(() -> telemetryCount(device) >= 300);

    var telemetry = ClusterSharding.get(testKit.system()).entityRefFor(DeviceEntity.ENTITY_KEY, device)
        .<DeviceTelemetry>ask(GetTelemetry::new, Duration.ofSeconds(10)).toCompletableFuture().get();
    assertEquals(300, telemetry.getTelemetryCount(), "each record once: the copy of the 101st is a duplicate");
    var recent = telemetry.getReadingsMap().get("t").getRecentList().stream().map(sample -> sample.getValue()).toList();
    assertEquals(299.0, telemetry.getReadingsMap().get("t").getLast(), "the last record sent is the last applied");
    assertEquals(recent.stream().sorted().toList(), recent, "applied in the order sent");
    var after = Metrics.globalRegistry.find("herald.ingest.batch.records").summary();
    assertTrue(after != null && after.count() > batchesBefore, "the backlog went in batches of two or more");
  }

  @Test
  void aRecordTheEntityRefusesReachesTheSenderAsPushRejected() throws Exception {
    var device = "d-" + UUID.randomUUID();
    send("owner", telemetry("owner", device, "m-" + UUID.randomUUID()).toByteArray());
    await().atMost(Duration.ofSeconds(60)).until(() -> telemetryCount(device) == 1);

    var intruderMessage = "m-" + UUID.randomUUID();
    var logged = new ListAppender<ILoggingEvent>();
    logged.start();
    var consumerLog = (Logger) LoggerFactory.getLogger(IngressConsumer.class);
    consumerLog.addAppender(logged);
    consumerLog.setLevel(ch.qos.logback.classic.Level.INFO);
    var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    var record = new ProducerRecord<String, byte[]>(INGRESS, "intruder",
        telemetry("intruder", device, intruderMessage).toByteArray());
    record.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
    producer.send(record).get();

    var session = testKit.<SessionSignal>createTestProbe();
    var intruder = ClusterSharding.get(testKit.system()).entityRefFor(UserSignal.TYPE_KEY, "intruder");
    var pushed = session.awaitAssert(Duration.ofSeconds(60), Duration.ofSeconds(1), () -> {
      intruder.tell(new AttachSession("phone", 0, session.ref()));
      return (DeliverPush) session.receiveMessage(Duration.ofSeconds(1));
    });
    var rejected = pushed.frame().getPush().getRejected();
    assertEquals(intruderMessage, rejected.getMessageId());
    assertEquals(NackCode.FORBIDDEN, rejected.getCode());
    assertEquals(1, pushed.frame().getPush().getSeq());
    assertEquals(1, telemetryCount(device));

    // The log line about the refusal carries the record's ids and trace as MDC fields (JSON logs show them).
    consumerLog.detachAppender(logged);
    consumerLog.setLevel(null);
    var refusal = logged.list.stream().filter(event -> event.getFormattedMessage().contains(intruderMessage)).findFirst()
        .orElseThrow();
    assertEquals(Map.of("message_id", intruderMessage, "user_id", "intruder", "device_id", device, "trace_id", traceId),
        refusal.getMDCPropertyMap());
  }

  @Test
  void whileCassandraIsDownNothingIsSkippedAndTheBacklogIsAppliedOnceItIsBack() throws Exception {
    var device = "d-" + UUID.randomUUID();
    send("u-3", telemetry("u-3", device, "m-" + UUID.randomUUID()).toByteArray());
    await().atMost(Duration.ofSeconds(60)).until(() -> telemetryCount(device) == 1);

    store.stop();
    try {
      for (int i = 0; i < 5; i++) {
        send("u-3", telemetry("u-3", device, "m-" + UUID.randomUUID()).toByteArray());
      }
      // The pipeline cannot persist, so it does not commit: the backlog stays in Kafka as lag.
      await().atMost(Duration.ofSeconds(30)).until(() -> committedLag() >= 5);
    } finally {
      store.start();
    }
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
      try {
        return telemetryCount(device) == 6 && committedLag() == 0;
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  /** Records of the ingress topic not yet committed by the pipeline's consumer group. */
  private static long committedLag() throws Exception {
    try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      var partition = new org.apache.kafka.common.TopicPartition(INGRESS, 0);
      var committed = admin.listConsumerGroupOffsets("ingest-test-" + RUN).partitionsToOffsetAndMetadata().get().get(partition);
      var end = admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(partition).get().offset();
      return end - (committed == null ? 0 : committed.offset());
    }
  }

  private static long telemetryCount(String device) throws Exception {
    return ClusterSharding.get(testKit.system()).entityRefFor(DeviceEntity.ENTITY_KEY, device)
        .<DeviceTelemetry>ask(GetTelemetry::new, Duration.ofSeconds(10))
        .toCompletableFuture().get().getTelemetryCount();
  }

  private static void send(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(INGRESS, key, value)).get();
  }

  private static IngressRecord telemetry(String user, String device, String messageId) {
    return telemetry(user, device, messageId, 1);
  }

  private static IngressRecord telemetry(String user, String device, String messageId, double value) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId(user).setDeviceId(device)
        .setReceivedAtMs(System.currentTimeMillis()).setTransport(Transport.WEBSOCKET)
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId)
            .setTelemetry(Telemetry.newBuilder().putReadings("t", value)))
        .build();
  }

  private static KafkaConsumer<String, byte[]> deadLetterConsumer() {
    var props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(DEAD_LETTER));
    return consumer;
  }
}
