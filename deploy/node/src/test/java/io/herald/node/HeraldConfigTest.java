package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.herald.persistence.fence.FencedCassandraJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Herald's values for other libraries' keys hold whatever the classpath order: they are in herald-node.conf, layered
 * above every reference.conf, and a node refuses a config in which a library default stands for one of them.
 */
class HeraldConfigTest {

  @Test
  void theNodesConfigurationHasHeraldsValuesForLibraryKeys() {
    var config = HeraldConfig.load();
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals(Duration.ofSeconds(10), config.getDuration("pekko.cluster.sharding.handoff-timeout"));
    assertEquals("pekko.persistence.cassandra.journal", config.getString("pekko.persistence.journal.plugin"));
    assertEquals(FencedCassandraJournal.class.getName(), config.getString("pekko.persistence.cassandra.journal.class"));
    assertFalse(config.getBoolean("pekko.persistence.cassandra.journal.keyspace-autocreate"));
    assertEquals(config.getString("herald.persistence.cassandra.keyspace"),
        config.getString("pekko.persistence.cassandra.journal.keyspace"), "derived from Herald's setting");
    assertEquals(List.of(), HeraldConfig.libraryDefaultsInsteadOfHerald(config));
  }

  @Test
  void aConfigWithoutHeraldsLibrarySettingsIsRefusedBeforeTheNodeStarts() {
    var plain = ConfigFactory.load();
    var standing = HeraldConfig.libraryDefaultsInsteadOfHerald(plain);
    assertTrue(standing.containsAll(List.of("pekko.actor.provider", "pekko.cluster.sharding.handoff-timeout",
        "pekko.persistence.journal.plugin", "pekko.persistence.cassandra.journal.class")), standing.toString());
    var refused = assertThrows(IllegalStateException.class, () -> HeraldNode.start(plain));
    assertTrue(refused.getMessage().contains("pekko.actor.provider"), refused.getMessage());
  }

  @Test
  void anOverrideOfAnotherValueIsTheOperatorsChoice() {
    var config = HeraldConfig.load(Map.of("pekko.cluster.sharding.handoff-timeout", "20s"));
    assertEquals(List.of(), HeraldConfig.libraryDefaultsInsteadOfHerald(config));
  }

  /** Each module's reference.conf sets only its own keys (plus serializers it registers under its own names). */
  @Test
  void heraldsReferenceConfFilesSetNoOtherLibrarysKeys() throws Exception {
    var heraldFiles = 0;
    var foreign = new ArrayList<String>();
    for (var url : Collections.list(getClass().getClassLoader().getResources("reference.conf"))) {
      var file = ConfigFactory.parseURL(url, ConfigParseOptions.defaults());
      if (!file.hasPath("herald")) {
        continue;
      }
      heraldFiles++;
      for (var entry : file.entrySet()) {
        var path = entry.getKey();
        var registersSerializer = path.startsWith("pekko.actor.serializers.herald-")
            || (path.startsWith("pekko.actor.serialization-bindings.")
                && entry.getValue().unwrapped().toString().startsWith("herald-"));
        if (!path.startsWith("herald.") && !registersSerializer) {
          foreign.add(url + ": " + path);
        }
      }
    }
    assertTrue(heraldFiles >= 6, "protocol, persistence, gateway, user, chat and node reference.conf: " + heraldFiles);
    assertEquals(List.of(), foreign);
  }
}
