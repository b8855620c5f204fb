package io.herald.user.device;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.persistence.CassandraSchema;
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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * While Cassandra takes the journal's writes but not the tag writes (here: a keyspace whose tag_views table is gone;
 * in production, Cassandra going down between the two), Pekko's TagWriter retries at once: with the driver failing at
 * once too, a busy loop (in the chaos scenarios a node logged 600,000 failures a minute and, on two dispatcher threads,
 * starved its entities until acked records missed their bound). Herald's session pauses each failure
 * ({@code io.herald.persistence.PacedTagWrites}): the writes are still retried, at a pace.
 */
@ExtendWith(InfraExtension.class)
class TagWriteRetryTest {

  private static final String TAG_WRITER = "org.apache.pekko.persistence.cassandra.journal.TagWriter";
  private static final String FAILED = "Writing tags has failed";

  @Test
  void failedTagWritesAreRetriedAfterAPauseNotInABusyLoop(Cassandra cassandra) throws Exception {
    var keyspace = "tag_retry_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "herald.persistence.cassandra.contact-points", List.of(cassandra.contactPoint()),
        "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
        "herald.persistence.cassandra.keyspace", keyspace,
        "pekko.loggers", List.of("org.apache.pekko.event.slf4j.Slf4jLogger"),
        "pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter",
        "pekko.actor.provider", "local")).withFallback(ConfigFactory.defaultApplication()));
    var shortestPause = config.getDuration("herald.persistence.tag-writes.retry-backoff-min");
    CassandraSchema.create(config, Duration.ofMinutes(2));
    try (var cql = CqlSession.builder().addContactPoint(new InetSocketAddress(cassandra.host(), cassandra.port()))
        .withLocalDatacenter(cassandra.localDatacenter()).build()) {
      cql.execute("DROP TABLE " + keyspace + ".tag_views");
    }

    var logged = new ListAppender<ILoggingEvent>();
    logged.start();
    var tagWriterLog = (Logger) LoggerFactory.getLogger(TAG_WRITER);
    tagWriterLog.addAppender(logged);
    var testKit = ActorTestKit.create("tag-write-retry-test", config);
    try {
      var device = "tag-retry-" + UUID.randomUUID();
      var entity = testKit.spawn(DeviceEntity.create(device, DeviceSettings.fromConfig(config),
          (user, cause, push) -> new CompletableFuture<>()));
      entity.tell(new ApplyRecord(telemetry(device), testKit.<IngressApplied>createTestProbe().ref()));

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> failures(logged) >= 1);
      long firstCount = failures(logged);
      long firstAt = System.nanoTime();
      // A window of retries to count: the pace is the property under test, so it is measured over 2 s (the first
      // look comes after them), by which time the write must have been retried.
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> failures(logged) - firstCount >= 2);
      long retries = failures(logged) - firstCount;
      double seconds = (System.nanoTime() - firstAt) / 1e9;

      assertTrue(retries >= 2, "the tag write is retried while it fails: " + retries + " retries in " + seconds + " s");
      double mostPerSecond = 1.5 * 1000.0 / shortestPause.toMillis();
      assertTrue(retries / seconds <= mostPerSecond, "retried at most once every " + shortestPause + ": " + retries
          + " retries in " + seconds + " s");
    } finally {
      testKit.shutdownTestKit();
      tagWriterLog.detachAppender(logged);
    }
  }

  private static long failures(ListAppender<ILoggingEvent> logged) {
    synchronized (logged) { // the lock under which the appender adds
      return logged.list.stream().filter(event -> event.getFormattedMessage().startsWith(FAILED)).count();
    }
  }

  private static IngressRecord telemetry(String device) {
    return IngressRecord.newBuilder().setMessageId("m-1").setUserId("u-" + device).setDeviceId(device)
        .setFrame(ClientFrame.newBuilder().setMessageId("m-1").setTelemetry(Telemetry.newBuilder().putReadings("t", 1)))
        .build();
  }
}
