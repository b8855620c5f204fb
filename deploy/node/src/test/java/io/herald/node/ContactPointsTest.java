package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContactPointsTest {

  private static final String BOOTSTRAP = "pekko.management.cluster.bootstrap.contact-point-discovery.";

  @Test
  void theListedManagementAddressesBecomeBootstrapsConfigDiscoveryAndAllMustAnswer() {
    // HERALD_DISCOVERY is a single value, substituted when reference.conf is loaded: here it is the setting.
    var config = ContactPoints.apply(EnvironmentOverrides.apply(HeraldConfig.load(Map.of(
        "herald.node.discovery", "contact-points")), Map.of(
        "HERALD_CONTACT_POINTS", "herald-1:8558, herald-2:8558,[::1]:9000")));
    assertEquals("config", config.getString(BOOTSTRAP + "discovery-method"));
    assertEquals(3, config.getInt(BOOTSTRAP + "required-contact-point-nr"));
    assertTrue(config.getBoolean(BOOTSTRAP + "contact-with-all-contact-points"));
    assertFalse(config.getBoolean("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port"));
    var endpoints = config.getConfigList("pekko.discovery.config.services.herald.endpoints").stream()
        .map(endpoint -> endpoint.getString("host") + " " + endpoint.getInt("port")).toList();
    assertEquals(List.of("herald-1 8558", "herald-2 8558", "::1 9000"), endpoints);
  }

  @Test
  void aMissingOrMalformedListIsRefusedAtStart() {
    for (var points : List.of(List.<String>of(), List.of("herald-1"), List.of("herald-1:"), List.of(":8558"),
        List.of("herald-1:port"), List.of("herald-1:70000"))) {
      var config = HeraldConfig.load(Map.of("herald.node.discovery", "contact-points",
          "herald.node.contact-points", points));
      assertThrows(IllegalArgumentException.class, () -> ContactPoints.apply(config), points.toString());
    }
  }

  @Test
  void otherDiscoveriesAreLeftAsConfigured() {
    var config = HeraldConfig.load();
    assertSame(config, ContactPoints.apply(config));
    assertEquals("kubernetes-api", config.getString(BOOTSTRAP + "discovery-method"));
  }
}
