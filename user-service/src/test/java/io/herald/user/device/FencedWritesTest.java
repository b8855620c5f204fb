package io.herald.user.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.persistence.CassandraSchema;
import io.herald.persistence.fence.WriterFence;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer fence on the real journal: once a node is fenced, an entity's persist is refused (the entity stops and
 * its event is not in Cassandra), and so is any statement that reaches the plugin's Cassandra session itself, at its
 * connections' last outbound step.
 */
@ExtendWith(InfraExtension.class)
class FencedWritesTest {

  @Test
  void aFencedNodeWritesNothingToCassandra(Cassandra cassandra) throws Exception {
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.persistence.fence.stop-node-when-fenced", false,
        "pekko.actor.provider", "local")).withFallback(ConfigFactory.defaultApplication()));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    var device = "fenced-" + UUID.randomUUID();
    var testKit = ActorTestKit.create("fenced-writes-test", config);
    try (var cql = CqlSession.builder().addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter()).build()) {
      var entity = testKit.spawn(DeviceEntity.create(device, DeviceSettings.fromConfig(config),
          (user, cause, push) -> new CompletableFuture<>()));
      var replies = testKit.<IngressApplied>createTestProbe();
      entity.tell(new ApplyRecord(telemetry(device, "before"), replies.ref()));
      replies.receiveMessage(Duration.ofSeconds(30));
      var pid = DeviceEntity.persistenceId(device).id();
      long rowsBefore = rows(cql, pid);
      assertTrue(rowsBefore >= 1, "the first frame is in the journal");

      WriterFence.get(testKit.system()).fence("FencedWritesTest");

      var watcher = testKit.createTestProbe();
      entity.tell(new ApplyRecord(telemetry(device, "after"), replies.ref()));
      watcher.expectTerminated(entity, Duration.ofSeconds(30));
      replies.expectNoMessage(Duration.ofMillis(100));
      assertEquals(rowsBefore, rows(cql, pid), "nothing persisted once fenced");

      var pluginSession = CassandraSessionRegistry.get(testKit.system())
          .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
      var marker = "fence-probe-" + UUID.randomUUID();
      var failure = assertThrows(ExecutionException.class, () -> pluginSession.executeWrite(
              "INSERT INTO herald.messages (persistence_id, partition_nr, sequence_nr, timestamp, writer_uuid,"
                  + " ser_id, ser_manifest, event_manifest, event) VALUES (?, 0, 1, now(), 'fence-test', 0, '', '',"
                  + " 0x00)", marker)
          .toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(failure.getCause() != null, "refused: " + failure);
      assertEquals(0, rows(cql, marker), "the raw statement did not land");
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static long rows(CqlSession cql, String pid) {
    return cql.execute("SELECT sequence_nr FROM herald.messages WHERE persistence_id = ? AND partition_nr = 0", pid)
        .all().size();
  }

  private static IngressRecord telemetry(String device, String messageId) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId("u-" + device).setDeviceId(device)
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId)
            .setTelemetry(Telemetry.newBuilder().putReadings("t", 1.0)))
        .build();
  }
}
