package io.herald.user.device;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.cluster.UserOutboxes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * herald.persistence.retention on the real journal: a snapshot every N events, the events older than the snapshots
 * kept are deleted, so a device's journal stays bounded however long it lives, and it still recovers exactly.
 */
@ExtendWith(InfraExtension.class)
class RetentionTest {

  private static final int EVERY = 10;
  private static final int KEEP = 2;
  private static final int EVENTS = 95;

  @Test
  void theJournalKeepsOnlyTheEventsAfterTheRetainedSnapshotsAndRecoveryIsExact(Cassandra cassandra) throws Exception {
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.persistence.retention.snapshot-every-events", EVERY,
        "herald.persistence.retention.keep-snapshots", KEEP,
        "pekko.actor.provider", "local")).withFallback(ConfigFactory.defaultApplication()));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    var device = "retained-" + UUID.randomUUID();
    var testKit = ActorTestKit.create("retention-test", config);
    try (var session = CqlSession.builder().addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter()).build()) {
      var settings = DeviceSettings.fromConfig(config);
      // Telemetry only: nothing goes to the owner's outbox.
      UserOutboxes outboxes = (user, cause, push) -> new CompletableFuture<>();
      var entity = testKit.spawn(DeviceEntity.create(device, settings, outboxes));
      var replies = testKit.<IngressApplied>createTestProbe();
      // The first frame also persists "online": EVENTS telemetry events make EVENTS + 1 events in all.
      for (int i = 0; i < EVENTS; i++) {
        entity.tell(new ApplyRecord(telemetry(device, "m-" + i), replies.ref()));
        replies.receiveMessage(Duration.ofSeconds(30));
      }
      var pid = DeviceEntity.persistenceId(device).id();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        // Pekko keeps the snapshots (and events) newer than KEEP intervals before the latest snapshot: at most
        // KEEP + 1 snapshots and (KEEP + 1) * EVERY events remain, however many events the device produced.
        var snapshots = session.execute("SELECT sequence_nr FROM herald.snapshots WHERE persistence_id = ?", pid).all();
        assertTrue(snapshots.size() >= KEEP && snapshots.size() <= KEEP + 1, snapshots.size() + " snapshots kept");
        var events = session.execute(
            "SELECT sequence_nr FROM herald.messages WHERE persistence_id = ? AND partition_nr = 0", pid).all();
        assertTrue(events.size() <= (KEEP + 1) * EVERY, events.size() + " of " + (EVENTS + 1) + " events left");
      });

      testKit.stop(entity);
      var recovered = testKit.spawn(DeviceEntity.create(device, settings, outboxes));
      var summary = testKit.<DeviceTelemetry>createTestProbe();
      recovered.tell(new GetTelemetry(summary.ref()));
      assertEquals(EVENTS, summary.receiveMessage(Duration.ofSeconds(30)).getTelemetryCount());
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static IngressRecord telemetry(String device, String messageId) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId("owner").setDeviceId(device)
        .setReceivedAtMs(System.currentTimeMillis())
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId).setTelemetry(Telemetry.newBuilder().putReadings("t", 1)))
        .build();
  }
}
