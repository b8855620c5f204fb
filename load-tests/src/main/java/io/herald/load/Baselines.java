package io.herald.load;

import io.herald.load.baseline.BaselineResult;
import io.herald.load.baseline.RawCassandraBaseline;
import io.herald.load.baseline.RawKafkaBaseline;
import io.herald.load.report.BaselineComparison;
import java.io.PrintStream;
import java.util.Locale;

/** Measures the raw baselines of a plan, one after the other (they share the machine with nothing but each other). */
final class Baselines {

  private Baselines() {}

  static BaselineComparison measure(ScenarioPlan plan, PrintStream progress) {
    if (plan.baselines().isEmpty()) {
      return BaselineComparison.NOT_MEASURED;
    }
    BaselineTargets targets = plan.baselines().get();
    ScenarioSettings settings = plan.settings();
    var baselineSettings = targets.settings(settings.devices());
    BaselineResult kafka = RawKafkaBaseline.run(targets.kafkaBootstrap(), targets.kafkaReplicationFactor(),
        baselineSettings);
    print(progress, settings, kafka);
    BaselineResult cassandra = RawCassandraBaseline.run(settings.cassandra(), settings.localDatacenter(),
        baselineSettings);
    print(progress, settings, cassandra);
    return new BaselineComparison(kafka, cassandra);
  }

  private static void print(PrintStream progress, ScenarioSettings settings, BaselineResult result) {
    if (settings.printProgress()) {
      progress.println(String.format(Locale.ROOT, "baseline %s: %.1f writes/s over %.1f s, p50 %.2f ms, p99 %.2f ms,"
              + " %d failed", result.name(), result.ratePerS(), result.measuredS(), result.latencyMs().p50(),
          result.latencyMs().p99(), result.failures()));
    }
  }
}
