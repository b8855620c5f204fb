package io.herald.gateway.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaProducerSettingsTest {

  @Test
  void theDefaultsAreTheSafeOnes() {
    KafkaProducerSettings settings =
        KafkaProducerSettings.from(
            ConfigFactory.load(ConfigFactory.parseMap(Map.of("herald.kafka.bootstrap-servers", "kafka-1:9092"))));

    Map<String, Object> properties = settings.properties();
    assertEquals("kafka-1:9092", properties.get("bootstrap.servers"));
    assertEquals("all", properties.get("acks"));
    assertEquals("true", properties.get("enable.idempotence"));
    assertEquals("500", properties.get("max.block.ms"));
    assertEquals("10000", properties.get("delivery.timeout.ms"));
    assertEquals("5", properties.get("linger.ms"));
    assertEquals("33554432", properties.get("buffer.memory"));
    assertEquals("org.apache.kafka.common.serialization.StringSerializer", properties.get("key.serializer"));
    assertEquals(Duration.ofSeconds(5), settings.closeTimeout());
  }

  @Test
  void kafkaClientPropertiesCanBeOverridden() {
    KafkaProducerSettings settings =
        KafkaProducerSettings.from(
            ConfigFactory.load(
                ConfigFactory.parseString(
                    "herald.gateway.kafka-producer.kafka-clients { \"linger.ms\" = 20, \"compression.type\" = none }")));

    assertEquals("20", settings.properties().get("linger.ms"));
    assertEquals("none", settings.properties().get("compression.type"));
  }
}
