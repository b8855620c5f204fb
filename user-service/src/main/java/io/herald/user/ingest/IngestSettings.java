package io.herald.user.ingest;

import com.typesafe.config.Config;
import io.herald.signals.cluster.UserOutboxes;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** herald.user.ingest.* and the shared herald.kafka.* */
public record IngestSettings(
    String bootstrapServers,
    String topic,
    String deadLetterTopic,
    String groupId,
    int parallelism,
    int window,
    int batchMaxRecords,
    long batchMaxBytes,
    Duration askTimeout,
    int commitMaxBatch,
    Duration commitMaxInterval,
    Duration drainTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    int maxAttempts,
    Duration retryMinBackoff,
    Duration retryMaxBackoff,
    Duration askTimeoutInTrouble,
    Duration poisonQuietPeriod,
    Config consumerConfig,
    Config deadLetterProducerConfig) {

  public IngestSettings {
    if (window < parallelism) {
      throw new IllegalArgumentException("herald.user.ingest.window (" + window + ") must be at least its parallelism ("
          + parallelism + ")");
    }
  }

  /**
   * The users' outboxes as the user-service asks them (the pipeline's pushes, a Device's presence): each enqueue with
   * {@code ask-timeout}, asked again as {@code retry} says.
   */
  public UserOutboxes userOutboxes(ActorSystem<?> system) {
    return UserOutboxes.sharded(system, askTimeout, maxAttempts, retryMinBackoff, retryMaxBackoff, randomFactor);
  }

  public static IngestSettings fromConfig(Config config) {
    var ingest = config.getConfig("herald.user.ingest");
    return new IngestSettings(
        config.getString("herald.kafka.bootstrap-servers"),
        config.getString("herald.kafka.topics.ingress"),
        config.getString("herald.kafka.topics.dead-letter"),
        ingest.getString("group-id"),
        ingest.getInt("parallelism"),
        ingest.getInt("window"),
        ingest.getInt("batch.max-records"),
        ingest.getBytes("batch.max-bytes"),
        ingest.getDuration("ask-timeout"),
        ingest.getInt("commit.max-batch"),
        ingest.getDuration("commit.max-interval"),
        ingest.getDuration("commit.drain-timeout"),
        ingest.getDuration("restart.min-backoff"),
        ingest.getDuration("restart.max-backoff"),
        ingest.getDouble("restart.random-factor"),
        ingest.getInt("retry.max-attempts"),
        ingest.getDuration("retry.min-backoff"),
        ingest.getDuration("retry.max-backoff"),
        // Never longer than the usual ask.
        min(ingest.getDuration("retry.ask-timeout-in-trouble"), ingest.getDuration("ask-timeout")),
        ingest.getDuration("retry.poison-quiet-period"),
        ingest.getConfig("consumer"),
        ingest.getConfig("dead-letter-producer"));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
