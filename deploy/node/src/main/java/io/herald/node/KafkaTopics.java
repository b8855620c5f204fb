package io.herald.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Herald's topics when missing (herald.node.kafka-topics). */
public final class KafkaTopics {

  private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

  private KafkaTopics() {}

  public static void ensure(Config config) {
    var topics = config.getConfig("herald.node.kafka-topics");
    if (!topics.getBoolean("create")) {
      return;
    }
    var timeout = topics.getDuration("timeout");
    var partitions = config.getInt("herald.kafka.topics.ingress-partitions");
    var replication = (short) topics.getInt("replication-factor");
    var minInsync = Map.of("min.insync.replicas", topics.getString("min-insync-replicas"));
    var wanted = List.of(
        new NewTopic(config.getString("herald.kafka.topics.ingress"), partitions, replication).configs(minInsync),
        new NewTopic(config.getString("herald.kafka.topics.dead-letter"), partitions, replication).configs(minInsync));
    try (var admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString("herald.kafka.bootstrap-servers"),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
      for (var entry : admin.createTopics(wanted).values().entrySet()) {
        try {
          entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          log.info("Created topic {} ({} partitions, RF {})", entry.getKey(), partitions, replication);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
          }
        }
      }
      var ingress = config.getString("herald.kafka.topics.ingress");
      var actual = partitionsOf(admin, ingress, System.nanoTime() + timeout.toNanos());
      if (actual != partitions) {
        throw new IllegalStateException("Topic " + ingress + " has " + actual + " partitions, but "
            + "herald.kafka.topics.ingress-partitions is " + partitions + ": set it to " + actual);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot describe the topics: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not create the topics within " + timeout, e);
    }
  }

  /**
   * The topic's partition count. A topic another node has just created may not be known yet to the broker asked
   * ("does not host this topic-partition", a retriable error): asked again until the deadline.
   */
  private static int partitionsOf(Admin admin, String topic, long deadline)
      throws ExecutionException, InterruptedException, TimeoutException {
    while (true) {
      try {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        return admin.describeTopics(List.of(topic)).allTopicNames().get(left, TimeUnit.MILLISECONDS)
            .get(topic).partitions().size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        log.info("Topic {} not described yet ({}); asking again", topic, e.getCause().getMessage());
        Thread.sleep(200);
      }
    }
  }
}
