package io.herald.user.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
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
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lagByPartition = new ConcurrentHashMap<>();

  Timer apply() {
    return apply;
  }

  /** applied, duplicate, rejected, dead_letter, unrouted. */
  void outcome(String outcome) {
    outcomes.computeIfAbsent(outcome, o -> Counter.builder("herald.ingest.records")
        .description("Records of herald.ingest by what became of them").tag("outcome", o).register(registry)).increment();
  }

  /**
   * Consumer lag per partition of {@code topic}, from the Kafka consumer's own records-lag metric (which the client
   * also reports under a legacy topic tag with dots replaced: that copy is skipped).
   */
  void lag(String topic, Map<MetricName, Metric> consumerMetrics) {
    consumerMetrics.forEach((name, metric) -> {
      if (name.name().equals("records-lag") && name.tags().containsKey("partition")
          && topic.equals(name.tags().get("topic"))
          && metric.metricValue() instanceof Number value) {
        var partition = name.tags().get("topic") + "-" + name.tags().get("partition");
        lagByPartition.computeIfAbsent(partition, p -> {
          var holder = new AtomicLong();
          Gauge.builder("herald.kafka.consumer.lag", holder, AtomicLong::get)
              .description("Records of the partition not yet consumed by this node")
              .tag("partition", p).register(registry);
          return holder;
        }).set(Double.isNaN(value.doubleValue()) ? 0 : value.longValue());
      }
    });
  }
}
