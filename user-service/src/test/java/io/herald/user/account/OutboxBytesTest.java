package io.herald.user.account;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.cluster.v1.UserAccount;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A User whose outbox is offered far more than its byte bound (the default 8 MiB) on the real journal: it keeps the
 * newest pushes within the bound, its snapshots are written by Cassandra (each well under its largest mutation), and
 * it recovers from them with the same outbox.
 */
@ExtendWith(InfraExtension.class)
class OutboxBytesTest {

  private static final int PUSHES = 200;
  private static final String TEXT = "x".repeat(60 * 1024);

  @Test
  void anOutboxOfferedMoreThanItsBytesKeepsTheNewestAndItsSnapshotsAreWritten(Cassandra cassandra) throws Exception {
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.persistence.retention.snapshot-every-events", 50,
        "pekko.actor.provider", "local")).withFallback(ConfigFactory.defaultApplication()));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    var settings = UserSettings.fromConfig(config);
    var user = "big-outbox-" + UUID.randomUUID();
    var testKit = ActorTestKit.create("outbox-bytes-test", config);
    try (var session = CqlSession.builder().addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter()).build()) {
      var entity = testKit.spawn(UserEntity.create(user, settings));
      var done = testKit.<Done>createTestProbe();
      for (int i = 1; i <= PUSHES; i++) {
        var push = Push.newBuilder().setChatMessage(ChatMessage.newBuilder().setConversationId("c").setText(TEXT)).build();
        entity.tell(new EnqueuePush("cause-" + i, push, done.ref()));
        done.receiveMessage(Duration.ofSeconds(30));
      }
      var pid = UserEntity.persistenceId(user).id();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var snapshots = session.execute("SELECT sequence_nr, snapshot_data FROM herald.snapshots WHERE persistence_id = ?", pid)
            .all();
        assertTrue(snapshots.stream().anyMatch(row -> row.getLong("sequence_nr") == PUSHES),
            "the snapshot at " + PUSHES + " was written");
        snapshots.forEach(row -> assertTrue(row.getByteBuffer("snapshot_data").remaining() < 9 * 1024 * 1024,
            "snapshot " + row.getLong("sequence_nr") + " has " + row.getByteBuffer("snapshot_data").remaining() + " bytes"));
      });

      var account = testKit.<UserAccount>createTestProbe();
      entity.tell(new GetAccount(account.ref()));
      var before = account.receiveMessage(Duration.ofSeconds(10));
      testKit.stop(entity);
      var recovered = testKit.spawn(UserEntity.create(user, settings));
      recovered.tell(new GetAccount(account.ref()));
      var after = account.receiveMessage(Duration.ofSeconds(30));
      assertEquals(before, after, "recovered as it was");
      assertEquals(PUSHES, after.getLastSeq());
      assertTrue(after.getOutboxBytes() <= settings.outboxMaxBytes(), after.getOutboxBytes() + " bytes held");
      assertTrue(after.getOutboxPushes() > 100 && after.getOutboxPushes() < PUSHES,
          "the newest " + after.getOutboxPushes() + " of " + PUSHES + " kept");
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
