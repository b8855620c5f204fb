package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentOverridesTest {

  @Test
  void commaSeparatedVariablesBecomeListSettingsAndRolesBecomeClusterRoles() {
    var config = EnvironmentOverrides.apply(HeraldConfig.load(), Map.of(
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
  void replicationByDataCentreReachesTheJournalAndTheSnapshotStore() {
    var config = EnvironmentOverrides.apply(HeraldConfig.load(), Map.of(
        "HERALD_CASSANDRA_DATA_CENTER_REPLICATION_FACTORS", "dc1:3, dc2:3"));
    for (var plugin : List.of("journal", "snapshot")) {
      assertEquals(List.of("dc1:3", "dc2:3"),
          config.getStringList("pekko.persistence.cassandra." + plugin + ".data-center-replication-factors"));
    }
  }

  @Test
  void withoutVariablesTheConfiguredRolesApply() {
    var config = EnvironmentOverrides.apply(HeraldConfig.load(), Map.of("HERALD_ROLES", " "));
    assertEquals(List.of("gateway", "user", "chat"), config.getStringList("pekko.cluster.roles"));
  }
}
