package io.herald.load.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.load.LocalTargets;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The raw baselines for 2 s each against the shared real Kafka and Cassandra: they write, count and time. What rate
 * they reach is reported, never asserted.
 */
@ExtendWith(InfraExtension.class)
class RawBaselinesTest {

  private static final BaselineSettings TWO_SECONDS =
      BaselineSettings.of(Duration.ofSeconds(2), 20).withWarmUp(Duration.ofMillis(500));

  @Test
  void rawKafkaProducesWithAcksAllAndReportsItsRateAndLatency(Kafka kafka, Cassandra cassandra) {
    BaselineResult result = RawKafkaBaseline.run(kafka.bootstrapServers(), (short) 1, TWO_SECONDS);

    System.out.println(result);
    assertSane(BaselineResult.RAW_KAFKA, result);
  }

  @Test
  void rawCassandraInsertsAndReportsItsRateAndLatency(Kafka kafka, Cassandra cassandra) {
    BaselineResult result = RawCassandraBaseline.run(new InetSocketAddress("127.0.0.1", cassandra.port()),
        cassandra.localDatacenter(), TWO_SECONDS);

    System.out.println(result);
    assertSane(BaselineResult.RAW_CASSANDRA, result);
  }

  @Test
  void refusesTargetsOtherThanThisMachine() {
    assertThrows(LocalTargets.NonLocalTargetException.class,
        () -> RawKafkaBaseline.run("10.1.2.3:9092", (short) 1, TWO_SECONDS));
    assertThrows(LocalTargets.NonLocalTargetException.class, () -> RawCassandraBaseline.run(
        InetSocketAddress.createUnresolved("10.1.2.3", 9042), "datacenter1", TWO_SECONDS));
  }

  private static void assertSane(String name, BaselineResult result) {
    assertEquals(name, result.name());
    assertEquals(0, result.failures(), "no write failed");
    assertTrue(result.operations() > 0, "some writes were acknowledged");
    assertTrue(result.ratePerS() > 0, "a positive rate");
    // The window is 2 s; the last writes may complete a little after it.
    assertTrue(result.measuredS() > 0 && result.measuredS() < 2 + 30, "measured within the window and drain");
    var latency = result.latencyMs();
    assertTrue(latency.p50() > 0, "p50 > 0");
    assertTrue(latency.p50() <= latency.p99() && latency.p99() <= latency.p999() && latency.p999() <= latency.max(),
        "percentiles ordered: " + latency);
    assertTrue(latency.max() < 30_000, "no write took longer than the drain bound: " + latency);
  }
}
