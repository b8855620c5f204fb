package io.herald.load;

import io.herald.load.node.NodeGc;
import io.herald.load.node.NodeManagement;
import io.herald.load.report.BaselineComparison;
import io.herald.load.report.ReportWriter;
import io.herald.load.report.RunMetrics;
import io.herald.load.report.ScaleReport;
import io.herald.load.sim.CoapDevices;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.locks.LockSupport;

/**
 * Scale in devices: the same offered rate of telemetry for {@code --duration}, round robin over D1 and then over D2
 * distinct devices (each its own user), over CoAP ({@link CoapDevices}: no connection per device, memory bounded by
 * the requests in flight). The figure is D2's acked rate ÷ D1's. With {@code --node-pid}, the node's heap in use after
 * a GC ({@code jcmd PID GC.run}) before and after each phase, over the Device and User entities the phase added
 * (Pekko Management's {@code /cluster/shards}), gives the heap per active entity.
 *
 * <p>Before each phase the run waits (bounded by {@code --passivation-wait}) until the node has no Device entity alive,
 * so a phase starts without the previous one's entities: run it on a node that serves nothing else.
 */
final class ScaleScenario {

  static final double TARGET_RATIO = 0.8;
  private static final Duration DRAIN = Duration.ofSeconds(60);

  private ScaleScenario() {}

  static void run(ScenarioPlan plan, PrintStream progress, BaselineComparison baselines) throws IOException {
    ScenarioSettings settings = plan.settings();
    String run = UUID.randomUUID().toString().substring(0, 6);
    var timer = new ScheduledThreadPoolExecutor(1);
    // A request answered in time cancels its bound: drop the cancelled task at once, not 30 s later.
    timer.setRemoveOnCancelPolicy(true);
    var httpThreads = Executors.newFixedThreadPool(1);
    try {
      var node = new NodeManagement(plan.node().management(), HttpClient.newBuilder().executor(httpThreads).build());
      if (!plan.warmUp().isZero()) {
        say(settings, progress, "warm-up: %.1f frames/s for %d s over %d devices (not reported)",
            settings.ratePerSecond(), plan.warmUp().toSeconds(), plan.scale().fewDevices());
        offer(plan, settings, "w" + run + "-", plan.scale().fewDevices(), plan.warmUp(), new RunMetrics(), timer,
            progress);
      }
      var phases = new ArrayList<ScaleReport.Phase>();
      int[] counts = {plan.scale().fewDevices(), plan.scale().manyDevices()};
      for (int i = 0; i < counts.length; i++) {
        phases.add(phase(plan, node, (i == 0 ? "a" : "b") + run + "-", counts[i], timer, progress));
      }
      var report = new ScaleReport(phases, baselines, TARGET_RATIO);
      ReportWriter.write(settings.reportDirectory(), report);
      say(settings, progress, "acked/s %.1f over %d devices, %.1f over %d: ratio %s | report in %s",
          phases.get(0).ackedPerS(), counts[0], phases.get(1).ackedPerS(), counts[1], report.ratio(),
          settings.reportDirectory().toAbsolutePath());
    } finally {
      timer.shutdownNow();
      httpThreads.shutdownNow();
    }
  }

  private static ScaleReport.Phase phase(ScenarioPlan plan, NodeManagement node, String prefix, int devices,
      ScheduledThreadPoolExecutor timer, PrintStream progress) throws IOException {
    ScenarioSettings settings = plan.settings();
    say(settings, progress, "phase over %d devices: waiting up to %d s for the node to passivate its Device entities",
        devices, plan.recovery().passivationWait().toSeconds());
    if (!Scenarios.waitUntil(() -> node.entities("Device") == 0, plan.recovery().passivationWait())) {
      say(settings, progress, "still %d Device entities alive: the heap and entity figures include them",
          node.entities("Device"));
    }
    Long heapBefore = heapAfterGc(plan, node, progress);
    long entitiesBefore = node.entities("Device") + node.entities("User");
    long appliedBefore = node.appliedRecords();

    var metrics = new RunMetrics();
    say(settings, progress, "phase over %d devices: %.1f frames/s for %d s", devices, settings.ratePerSecond(),
        settings.duration().toSeconds());
    var offered = offer(plan, settings, prefix, devices, settings.duration(), metrics, timer, progress);

    long appliedTarget = appliedBefore + metrics.ackedCount();
    Scenarios.waitUntil(() -> node.appliedRecords() >= appliedTarget, settings.settleTimeout());
    long applied = node.appliedRecords() - appliedBefore;
    if (!plan.scale().heapSettle().isZero()) {
      say(settings, progress, "waiting %d s before reading the heap (--heap-settle)", plan.scale().heapSettle().toSeconds());
      try {
        Thread.sleep(plan.scale().heapSettle().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the heap to settle", e);
      }
    }
    long entitiesAfter = node.entities("Device") + node.entities("User");
    Long heapAfter = heapAfterGc(plan, node, progress);
    return new ScaleReport.Phase(devices, Math.min(devices, offered.sent()), settings.ratePerSecond(),
        settings.duration().toMillis() / 1000.0, offered.sent(), offered.skipped(), metrics.ackedCount(),
        metrics.nacksByCode(), offered.failed(), Math.round(metrics.ackedCount() / offered.seconds() * 10) / 10.0,
        metrics.latency(), applied, entitiesBefore, entitiesAfter, heapBefore, heapAfter);
  }

  /**
   * What one offering did: frames posted, arrivals skipped, requests failed, seconds from first offer to last answer.
   */
  private record Offered(long sent, long skipped, long failed, double seconds) {}

  private static Offered offer(ScenarioPlan plan, ScenarioSettings settings, String prefix, int devices,
      Duration duration, RunMetrics metrics, ScheduledThreadPoolExecutor timer, PrintStream progress)
      throws IOException {
    long total = Math.round(settings.ratePerSecond() * duration.toMillis() / 1000.0);
    double intervalNanos = 1e9 / settings.ratePerSecond();
    try (var coap = new CoapDevices(plan.node().coap(), settings.jwtSecret(), prefix, settings.ratePerSecond(),
        plan.scale().maxInFlight(), metrics, timer)) {
      long started = System.nanoTime();
      long nextPrint = started + 1_000_000_000L;
      for (long i = 0; i < total; i++) {
        long due = started + (long) (i * intervalNanos);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        coap.send(i % devices, i);
        if (settings.printProgress() && System.nanoTime() > nextPrint) {
          nextPrint += 1_000_000_000L;
          progress.printf(Locale.ROOT, "[scale %d devices] sent %d acked %d nacked %s failed %d skipped %d "
                  + "in-flight %d%n", devices, metrics.sentCount(), metrics.ackedCount(), metrics.nacksByCode(),
              coap.failed(), coap.skipped(), coap.unanswered());
        }
      }
      try {
        coap.drain(DRAIN);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the last answers", e);
      }
      double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
      return new Offered(metrics.sentCount(), coap.skipped(), coap.failed(), seconds);
    }
  }

  /**
   * The node's heap in use right after a full GC; {@code null} without the node's pid (a reading without a GC is
   * noise).
   */
  private static Long heapAfterGc(ScenarioPlan plan, NodeManagement node, PrintStream progress) {
    if (plan.node().pid().isEmpty()) {
      return null;
    }
    long gcMs = NodeGc.run(plan.node().pid().getAsLong());
    long heap = (long) NodeManagement.sum(node.metrics(), "jvm_memory_used_bytes", Map.of("area", "heap"));
    say(plan.settings(), progress, "node GC (jcmd GC.run) took %d ms; heap in use after it %.1f MB", gcMs, heap / 1e6);
    return heap;
  }

  private static void say(ScenarioSettings settings, PrintStream progress, String format, Object... args) {
    if (settings.printProgress()) {
      progress.println("[scale] " + String.format(Locale.ROOT, format, args));
    }
  }
}
