package io.herald.gateway.ingress;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gateway's Kafka producer, from {@code herald.gateway.kafka-producer} (see reference.conf).
 *
 * @param properties the KafkaProducer configuration, serializers included
 * @param closeTimeout how long closing waits for buffered records to be sent
 * @param sendDispatcher config path of the dispatcher that calls {@code KafkaProducer.send}
 */
public record KafkaProducerSettings(Map<String, Object> properties, Duration closeTimeout, String sendDispatcher) {

  private static final String PATH = "herald.gateway.kafka-producer";

  public KafkaProducerSettings {
    properties = Map.copyOf(properties);
  }

  public static KafkaProducerSettings from(Config config) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString("herald.kafka.bootstrap-servers"));
    // Iterating the object (not entrySet()) keeps dotted Kafka names like "enable.idempotence" as single keys.
    for (Map.Entry<String, ConfigValue> property : config.getObject(PATH + ".kafka-clients").entrySet()) {
      properties.put(property.getKey(), String.valueOf(property.getValue().unwrapped()));
    }
    // The record format is the contract (key = user id, value = IngressRecord bytes), not a setting.
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducerSettings(
        properties, config.getDuration(PATH + ".close-timeout"), PATH + ".send-dispatcher");
  }
}
