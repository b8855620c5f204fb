package io.herald.load.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoapDevicesTest {

  @Test
  void givesEachEndpointAtMostTwoHundredRequestsPerSecond() {
    assertEquals(1, CoapDevices.endpointsFor(0.5));
    assertEquals(1, CoapDevices.endpointsFor(200));
    assertEquals(2, CoapDevices.endpointsFor(201));
    assertEquals(5, CoapDevices.endpointsFor(1000));
    assertEquals(50, CoapDevices.endpointsFor(10_000));
  }

  @Test
  void theTokenOfTheLastOfAHundredMillionDevicesFitsOneUriQueryOption() {
    String prefix = "b1a2b3-";
    long last = 99_999_999;
    String token = DeviceTokens.mint("a-secret-as-long-as-herald-makes-them-0123456789abcdef",
        CoapDevices.userId(prefix, last), CoapDevices.deviceId(prefix, last), Duration.ofHours(2));

    // RFC 7252: a Uri-Query option holds at most 255 bytes (CoapDeviceClient.MAX_OPTION_BYTES).
    int option = ("access_token=" + token).length();
    assertTrue(option <= 255, "access_token=<token> has " + option + " bytes");
  }

  @Test
  void devicesOfTwoSetsNeverShareAnId() {
    assertNotEquals(CoapDevices.deviceId("a1-", 7), CoapDevices.deviceId("b1-", 7));
    assertNotEquals(CoapDevices.userId("a1-", 7), CoapDevices.deviceId("a1-", 7));
    assertNotEquals(CoapDevices.deviceId("a1-", 17), CoapDevices.deviceId("a1-", 1));
  }
}
