package io.herald.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** Configuration for a gateway under test: loopback only, free ports, plus the test's own settings. */
final class TestConfigs {

  private TestConfigs() {}

  static Config gateway(Map<String, ?> settings) {
    return ConfigFactory.load(
        ConfigFactory.parseMap(settings)
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of(
                        "herald.gateway.http.interface", "127.0.0.1",
                        "herald.gateway.http.port", 0,
                        "herald.gateway.http.termination-deadline", "1 s",
                        "herald.gateway.coap.interface", "127.0.0.1",
                        "herald.gateway.coap.port", 0))));
  }
}
