package io.herald.user.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** The pipeline's series, in the global Micrometer registry the node exports on /metrics. */
final class IngestMetrics {

  private final MeterRegistry registry = Metrics.globalRegistry;
  private final Timer apply = Timer.builder("herald.ingest.apply")
      .description("From a record's first ask to its entity's durable answer, retries included")
      .publishPercentileHistogram().register(registry);
  private final DistributionSummary batches = DistributionSummary.builder("herald.ingest.batch.records")
      .description("Records per batch applied together (only batches of two or more: the rest go alone)")
      .register(registry);
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Lag> lagByPartition = new HashMap<>();

  Timer apply() {
    return apply;
  }

  /** A batch of {@code records} (two or more) asked of its entity at once. */
  void batch(int records) {
    batches.record(records);
  }

  /** applied, duplicate, rejected, dead_letter, unrouted. */
  void outcome(String outcome) {
    outcomes.computeIfAbsent(outcome, o -> Counter.builder("herald.ingest.records")
        .description("Records of herald.ingest by what became of them").tag("outcome", o).register(registry)).increment();
  }

  /**
   * Consumer lag per partition of {@code topic}, from the Kafka consumer's own records-lag metric (which the client
   * also reports under a legacy topic tag with dots replaced: that copy is skipped). A partition the consumer no longer
   * reports (revoked in a rebalance) loses its gauge, so the node shows only what it consumes.
   */
  synchronized void lag(String topic, Map<MetricName, Metric> consumerMetrics) {
    var reported = new HashSet<String>();
    consumerMetrics.forEach((name, metric) -> {
      if (name.name().equals("records-lag") && name.tags().containsKey("partition")
          && topic.equals(name.tags().get("topic"))
          && metric.metricValue() instanceof Number value) {
        var partitionNumber = name.tags().get("partition");
        var partition = topic + "-" + partitionNumber;
        reported.add(partition);
        lagByPartition.computeIfAbsent(partition, p -> {
          var holder = new AtomicLong();
          // Held strongly and removed by this node: a gauge whose holder was collected would stay in the global
          // registry and hide the next one registered under its name (another node in the same JVM, a test).
          var gauge = Gauge.builder("herald.kafka.consumer.lag", holder, AtomicLong::get)
              .description("Records of the partition not yet consumed by this node")
              .tag("topic", topic).tag("partition", partitionNumber).strongReference(true).register(registry);
          return new Lag(holder, gauge);
        }).holder().set(Double.isNaN(value.doubleValue()) ? 0 : value.longValue());
      }
    });
    lagByPartition.keySet().removeIf(partition -> {
      if (reported.contains(partition)) {
        return false;
      }
      registry.remove(lagByPartition.get(partition).gauge());
      return true;
    });
  }

  /** The consumer stopped: its lag gauges go. */
  synchronized void forgetLag() {
    lagByPartition.values().forEach(lag -> registry.remove(lag.gauge()));
    lagByPartition.clear();
  }

  private record Lag(AtomicLong holder, Gauge gauge) {}
}
