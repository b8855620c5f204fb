package io.herald.node.health;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.herald.node.HeraldConfig;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShardRegionsStartedTest {

  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseMap(Map.of(
      "pekko.actor.provider", "cluster",
      "pekko.remote.artery.canonical.port", 0,
      "pekko.management.http.port", 0)).withFallback(HeraldConfig.load()));

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void notReadyUntilEveryEntityTypeHasItsShardRegion() {
    var check = new ShardRegionsStarted(testKit.system().classicSystem());
    var sharding = ClusterSharding.get(testKit.system());

    assertFalse(check.get().toCompletableFuture().join());
    for (var type : List.of("User", "Device")) {
      sharding.init(Entity.of(EntityTypeKey.create(String.class, type), context -> Behaviors.empty()));
    }
    assertFalse(check.get().toCompletableFuture().join(), "Conversation's region is not started yet");
    sharding.init(Entity.of(EntityTypeKey.create(String.class, "Conversation"), context -> Behaviors.empty()));
    assertTrue(check.get().toCompletableFuture().join());
  }
}
