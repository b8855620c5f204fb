package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RecoveryScenarioTest {

  @Test
  void readsTheShadowOnTheWebSocketEndpointsHostAndPort() {
    assertEquals(URI.create("http://127.0.0.1:28080/v1/devices/load-ab-d0/shadow"),
        RecoveryScenario.shadowUri(URI.create("ws://127.0.0.1:28080/v1/ws"), "load-ab-d0"));
    assertEquals(URI.create("https://localhost:8443/v1/devices/d/shadow"),
        RecoveryScenario.shadowUri(URI.create("wss://localhost:8443/v1/ws"), "d"));
  }
}
