package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentOverridesTest {

  @Test
  void commaSeparatedVariablesBecomeListSettingsAndRolesBecomeClusterRoles() {
    var config = EnvironmentOverrides.apply(ConfigFactory.load(), Map.of(
        "HERALD_ROLES", "gateway, user",
        "HERALD_CASSANDRA_CONTACT_POINTS", "c1:9042,c2:9042",
        "HERALD_SEED_NODES", "pekko://herald@a:25520,pekko://herald@b:25520",
        "HERALD_CORS_ALLOWED_ORIGINS", "https://app.example.com, https://admin.example.com"));
    assertEquals(List.of("gateway", "user"), config.getStringList("pekko.cluster.roles"));
    assertEquals(List.of("c1:9042", "c2:9042"), config.getStringList("datastax-java-driver.basic.contact-points"));
    assertEquals(List.of("pekko://herald@a:25520", "pekko://herald@b:25520"), config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(List.of("https://app.example.com", "https://admin.example.com"),
        config.getStringList("herald.gateway.rest.cors.allowed-origins"));
  }

  @Test
  void withoutVariablesTheConfiguredRolesApply() {
    var config = EnvironmentOverrides.apply(ConfigFactory.load(), Map.of("HERALD_ROLES", " "));
    assertEquals(List.of("gateway", "user", "chat"), config.getStringList("pekko.cluster.roles"));
  }
}
