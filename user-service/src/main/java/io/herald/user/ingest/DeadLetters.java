package io.herald.user.ingest;

import io.herald.protocol.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a record that cannot be applied to herald.dead-letter: same key, value and headers, plus why and where from.
 * The partition moves on only after the dead-letter topic acknowledged it, so nothing is dropped silently.
 */
final class DeadLetters {

  static final String REASON = KafkaHeaders.DEAD_LETTER_REASON;
  static final String SOURCE = KafkaHeaders.DEAD_LETTER_SOURCE;

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final SendProducer<String, byte[]> producer;
  private final String topic;
  private final Executor dispatcher;

  DeadLetters(ActorSystem<?> system, IngestSettings settings) {
    var producerSettings = ProducerSettings.create(settings.deadLetterProducerConfig(), new StringSerializer(), new ByteArraySerializer())
        .withBootstrapServers(settings.bootstrapServers());
    this.producer = new SendProducer<>(producerSettings, system);
    this.topic = settings.deadLetterTopic();
    this.dispatcher = system.executionContext();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-dead-letter-producer", producer::close);
  }

  CompletionStage<Done> send(ConsumerRecord<String, byte[]> failed, String reason) {
    var source = failed.topic() + "-" + failed.partition() + "@" + failed.offset();
    log.error("Dead letter from {}: {}", source, reason);
    var record = new ProducerRecord<>(topic, null, failed.key(), failed.value(), failed.headers());
    record.headers().remove(REASON).remove(SOURCE)
        .add(REASON, reason.getBytes(StandardCharsets.UTF_8))
        .add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
    return producer.send(record).thenApplyAsync(metadata -> Done.getInstance(), dispatcher);
  }
}
