package io.herald.user.colocation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.UserSignal;
import io.herald.user.ingest.IngestTestNodes;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion.ShardState;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka-to-sharding co-location on two nodes: each User shard is its herald.ingress partition and lives on the node
 * whose consumer has that partition, so the pipeline's asks to User entities do not cross the network. The hops are
 * measured (herald_ingest_entity_asks_total) with co-location and without it.
 */
@ExtendWith(InfraExtension.class)
class ColocationTest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final int PARTITIONS = 4;
  private static final int USERS = 40;

  @Test
  void everyUserShardLivesWhereItsPartitionIsConsumedAndAsksStayOnTheNode(Kafka kafka, Cassandra cassandra)
      throws Exception {
    var topic = "colocated-" + RUN;
    withTwoNodes(kafka, cassandra, topic, true, (first, second, producer, asks) -> {
      var client = ExternalShardAllocation.get(first).getClient(UserSignal.ENTITY_TYPE);
      // Both consumers have partitions and said so: every partition has a location, the two nodes between them.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
        var locations = client.getShardLocations().toCompletableFuture().get().getShardLocations();
        return locations.size() == PARTITIONS
            && locations.values().stream().map(location -> location.address()).collect(Collectors.toSet()).size() == 2;
      });
      pushAcks(producer, topic);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
        var wanted = new HashMap<String, String>();
        client.getShardLocations().toCompletableFuture().get().getShardLocations()
            .forEach((shard, location) -> wanted.put(shard, location.address().toString()));
        var hosted = new HashMap<String, String>();
        for (var node : List.of(first, second)) {
          userShardsOn(node).forEach(shard -> hosted.put(shard, IngestTestNodes.address(node)));
        }
        assertEquals(IntStream.range(0, PARTITIONS).mapToObj(String::valueOf).collect(Collectors.toSet()),
            hosted.keySet(), "every partition's User shard is allocated");
        assertEquals(wanted, hosted, "each User shard lives where its partition is consumed");
      });
      // Once the nodes know where their shards are, a round of asks to User entities has no remote one.
      var round = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> asks.round(() -> pushAcks(producer, topic)), counted -> counted.remote() == 0);
      System.out.println("User asks with co-location: " + round);
    });
  }

  @Test
  void withoutColocationUserAsksCrossTheNetwork(Kafka kafka, Cassandra cassandra) throws Exception {
    var topic = "scattered-" + RUN;
    withTwoNodes(kafka, cassandra, topic, false, (first, second, producer, asks) -> {
      pushAcks(producer, topic);
      var round = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> asks.round(() -> pushAcks(producer, topic)), counted -> counted.remote() > 0);
      System.out.println("User asks without co-location: " + round);
    });
  }

  private interface TwoNodes {
    void run(ActorSystem<Void> first, ActorSystem<Void> second, KafkaProducer<String, byte[]> producer, Asks asks)
        throws Exception;
  }

  /** The pipeline's asks of User entities as herald_ingest_entity_asks_total counts them. */
  private record Asks(SimpleMeterRegistry registry) {
    record Counted(long local, long remote) {}

    Counted now() {
      return new Counted(count("local"), count("remote"));
    }

    long count(String node) {
      var counter = registry.find("herald.ingest.entity.asks").tag("entity", UserSignal.ENTITY_TYPE).tag("node", node)
          .counter();
      return counter == null ? 0 : (long) counter.count();
    }

    /** Counts the asks one round of records causes (once all of them were asked). */
    Counted round(Runnable records) {
      var before = now();
      records.run();
      var after = await().atMost(Duration.ofSeconds(30))
          .until(this::now, counted -> counted.local() + counted.remote() >= before.local() + before.remote() + USERS);
      return new Counted(after.local() - before.local(), after.remote() - before.remote());
    }
  }

  private static void withTwoNodes(Kafka kafka, Cassandra cassandra, String topic, boolean colocation, TwoNodes test)
      throws Exception {
    var registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
    }
    var settings = Map.<String, Object>of("herald.kafka.topics.ingress-partitions", PARTITIONS,
        "herald.user.colocation.enabled", colocation);
    var first = IngestTestNodes.start(kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter(),
        topic, topic, null, settings);
    var second = IngestTestNodes.start(kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter(),
        topic, topic, IngestTestNodes.address(first), settings);
    var props = Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> IngestTestNodes.upMembers(first) == 2);
      test.run(first, second, producer, new Asks(registry));
    } finally {
      for (var node : List.of(second, first)) {
        node.terminate();
        node.getWhenTerminated().toCompletableFuture().get();
      }
      Metrics.removeRegistry(registry);
    }
  }

  /** One push_ack for each of USERS users, spread over every partition. */
  private static void pushAcks(KafkaProducer<String, byte[]> producer, String topic) {
    for (int i = 0; i < USERS; i++) {
      var user = "user-" + i + "-" + topic;
      producer.send(new ProducerRecord<>(topic, user, pushAck(user).toByteArray()));
    }
    producer.flush();
  }

  private static Set<String> userShardsOn(ActorSystem<?> node) throws Exception {
    return AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(ClusterSharding.get(node).shardState(),
            replyTo -> new GetShardRegionState(UserSignal.TYPE_KEY, replyTo), Duration.ofSeconds(5), node.scheduler())
        .toCompletableFuture().get().getShards().stream().map(ShardState::shardId).collect(Collectors.toSet());
  }

  private static IngressRecord pushAck(String user) {
    var id = UUID.randomUUID().toString();
    return IngressRecord.newBuilder().setMessageId(id).setUserId(user).setDeviceId(user + "-phone")
        .setReceivedAtMs(System.currentTimeMillis())
        .setFrame(ClientFrame.newBuilder().setMessageId(id).setPushAck(PushAck.newBuilder().setUpToSeq(0))).build();
  }
}
