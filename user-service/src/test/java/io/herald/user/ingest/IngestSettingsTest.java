package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {

  @Test
  void inTroubleTheEntityIsAskedForLessTimeThanUsual() {
    var settings = IngestSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(10), settings.askTimeout());
    assertEquals(Duration.ofSeconds(2), settings.askTimeoutInTrouble());
  }

  @Test
  void neverLongerThanTheUsualAsk() {
    var config = ConfigFactory.parseString("herald.user.ingest.ask-timeout = 300ms")
        .withFallback(ConfigFactory.load());
    assertEquals(Duration.ofMillis(300), IngestSettings.fromConfig(config).askTimeoutInTrouble());
  }
}
