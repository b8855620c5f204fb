package io.herald.user.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserSignal;
import io.herald.user.UserService;
import io.herald.user.ingest.IngestSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Device's offline push reaches its owner's outbox through cluster sharding, as the user-service wires it, when the
 * owner's User entity stays silent for longer than one round of asks (slow, or its shard moving): the push is asked
 * again, under the same cause id, until the User entity confirms it. The journal is the in-memory test kit's; the User
 * entity is a stand-in that records what it is asked and ignores the first asks.
 */
class PresencePushTest {

  // Each round: an ask and one retry (300 ms each); the stand-in ignores the first three asks, so more than one round.
  private static final int IGNORED = 3;
  private static ActorTestKit testKit;
  private static final AtomicInteger asks = new AtomicInteger();

  @BeforeAll
  static void start() {
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
            "pekko.actor.provider", "cluster",
            "pekko.cluster.roles", List.of(UserService.ROLE),
            "pekko.remote.artery.canonical.port", 0,
            "herald.user.ingest.ask-timeout", "300ms",
            "herald.user.ingest.retry.max-attempts", 1,
            "herald.user.ingest.retry.min-backoff", "50ms",
            "herald.user.ingest.retry.max-backoff", "100ms",
            "herald.user.device.presence-timeout", "500ms",
            "herald.user.device.presence-push-retry", "200ms"))
        .withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ConfigFactory.defaultApplication()));
    testKit = ActorTestKit.create("presence-push-test", config);
    var cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anOfflinePushReachesTheOwnersOutboxWhenItsUserEntityIsSilentForMoreThanOneRoundOfAsks() {
    var enqueued = testKit.<EnqueuePush>createTestProbe();
    ClusterSharding.get(testKit.system()).init(Entity.of(UserSignal.TYPE_KEY, context ->
        Behaviors.receiveMessage(signal -> {
          if (signal instanceof EnqueuePush push && asks.incrementAndGet() > IGNORED) {
            enqueued.ref().tell(push);
            push.replyTo().tell(Done.getInstance());
          }
          return Behaviors.same();
        })));
    var config = testKit.system().settings().config();
    var device = testKit.spawn(DeviceEntity.create("d-silent-owner", DeviceSettings.fromConfig(config),
        IngestSettings.fromConfig(config).userOutboxes(testKit.system())));
    var replies = testKit.<IngressApplied>createTestProbe();
    device.tell(new ApplyRecord(IngressRecord.newBuilder().setMessageId("hb-1").setUserId("u-1")
        .setDeviceId("d-silent-owner").setReceivedAtMs(System.currentTimeMillis())
        .setFrame(ClientFrame.newBuilder().setMessageId("hb-1").setHeartbeat(Heartbeat.getDefaultInstance())).build(),
        replies.ref()));
    replies.receiveMessage(Duration.ofSeconds(10));

    var offline = enqueued.receiveMessage(Duration.ofSeconds(15));
    assertFalse(offline.entries().get(0).push().getDeviceUpdate().getOnline());
    assertEquals("d-silent-owner", offline.entries().get(0).push().getDeviceUpdate().getDeviceId());
    assertEquals(IGNORED + 1, asks.get(), "asked until confirmed, then no more");
    enqueued.expectNoMessage(Duration.ofSeconds(1));
    assertEquals(IGNORED + 1, asks.get());
  }
}
