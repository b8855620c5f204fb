package io.herald.load.chaos;

import io.herald.load.report.ReportExtras;
import io.herald.load.sim.TrafficMix;
import io.herald.load.RunExtras;
import io.herald.load.ScenarioResult;
import io.herald.load.ScenarioSettings;
import io.herald.load.Scenarios;
import io.herald.client.DeviceClientSettings;
import io.herald.load.report.FaultReport;
import io.herald.load.report.TimelineSample;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A chaos scenario: the steady load against the cluster, the fault striking at fault-at on a thread of its own, the
 * cluster whole again before the checker reads Cassandra, and the fault's markers and recovery_s in the report.
 */
public final class ChaosRun {

  /**
   * Clients wait this long for an ack before resending; a connection silent that long is given up for the next node
   * (see DeviceClient). Shorter than the client's default so devices of a frozen node move within seconds.
   */
  static final Duration CLIENT_ACK_TIMEOUT = Duration.ofSeconds(3);
  /** Sends per frame before a client gives it up: enough to ride out a fault's minute of RETRY_LATER and resends. */
  static final int CLIENT_MAX_ATTEMPTS = 40;
  private static final int IN_FLIGHT_PER_DEVICE = 16;
  /** The longest warm-up: enough for the first replicated writes and the JIT, at the scenario's rate. */
  private static final Duration WARM_UP = Duration.ofSeconds(10);

  private ChaosRun() {}

  /**
   * Runs {@code fault} under load on {@code cluster}, which must be whole, and leaves it whole (or throws {@link
   * ChaosCluster.ClusterNotWholeException}). A fault that cannot run here is reported as skipped, with nothing run.
   */
  public static ChaosResult run(ChaosCluster cluster, Fault fault, ChaosSettings settings, PrintStream progress)
      throws IOException {
    var reason = fault.cannotRunBecause(cluster);
    if (reason.isPresent()) {
      progress.println("[chaos] " + fault.name() + " skipped: " + reason.get());
      return ChaosResult.skipped(fault.name(), reason.get());
    }
    var extras = new FaultDuringLoad(cluster, fault, settings, progress);
    var load = Scenarios.steady(loadSettings(cluster, fault.name(), settings, settings.duration()),
        fault.mix(), progress, ReportExtras.NONE, extras);
    return new ChaosResult(fault.name(), Optional.of(load), Optional.of(extras.report), Optional.empty());
  }

  /**
   * The same load without a fault, into {@code DIR/warm-up}: run once on a new cluster so that the first scenario
   * does not measure a cold one (topic metadata, the first replicated writes, JIT), which nacks RETRY_LATER for seconds.
   * With chat in {@code mix}, the search projection has also created its collection and indexed its first messages.
   */
  public static ScenarioResult warmUp(ChaosCluster cluster, ChaosSettings settings, TrafficMix mix,
      PrintStream progress) throws IOException {
    var directory = settings.reportDirectory().resolve("warm-up");
    var duration = settings.duration().compareTo(WARM_UP) < 0 ? settings.duration() : WARM_UP;
    return Scenarios.steady(loadSettings(cluster, "warm-up", settings.withReportDirectory(directory), duration),
        mix, progress, ReportExtras.NONE, new SpreadOverNodes(cluster.endpoints()));
  }

  private static ScenarioSettings loadSettings(ChaosCluster cluster, String scenario, ChaosSettings settings,
      Duration duration) {
    var directory = settings.reportDirectory();
    // The drain bound covers a fault's outage plus the client's resends after it.
    return new ScenarioSettings(scenario, cluster.endpoints().get(0), cluster.jwtSecret(), settings.devices(),
        settings.ratePerSecond(), duration, cluster.cassandraAddress(), cluster.cassandra().localDatacenter(),
        "herald", directory, directory.resolve("outboxes"), IN_FLIGHT_PER_DEVICE, Duration.ofSeconds(30),
        Duration.ofSeconds(120), Duration.ofSeconds(120), true);
  }

  /** Device i starts on node i mod N and fails over to the next, so every node has sessions when a fault strikes. */
  private static final class SpreadOverNodes implements RunExtras {
    private final List<URI> endpoints;

    SpreadOverNodes(List<URI> endpoints) {
      this.endpoints = List.copyOf(endpoints);
    }

    @Override
    public DeviceClientSettings client(int index, DeviceClientSettings defaults) {
      var rotated = new ArrayList<URI>();
      for (int k = 0; k < endpoints.size(); k++) {
        rotated.add(endpoints.get((index + k) % endpoints.size()));
      }
      return new DeviceClientSettings(rotated, defaults.token(), defaults.outboxDirectory(),
          defaults.outboxCapacity(), defaults.maxInFlight(), CLIENT_ACK_TIMEOUT, CLIENT_MAX_ATTEMPTS,
          defaults.resendBackoff(), defaults.reconnectBackoff(), defaults.maxReconnectAttempts(),
          defaults.connectTimeout(), defaults.syncEachWrite(), defaults.pushAckEvery());
    }
  }

  /** The fault's side of the run. */
  private static final class FaultDuringLoad implements RunExtras {
    private final ChaosCluster cluster;
    private final Fault fault;
    private final ChaosSettings settings;
    private final PrintStream progress;
    private final SpreadOverNodes spread;
    private final ScheduledExecutorService faultThread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      var thread = new Thread(runnable, "herald-chaos-fault");
      thread.setDaemon(true);
      return thread;
    });
    private final CompletableFuture<Void> struck = new CompletableFuture<>();
    private List<String> conversationIds = List.of();
    private LoadUnderFault load;
    private FaultLog log;
    private long startedNanos;
    private double drainedAtS;
    private FaultReport report;

    FaultDuringLoad(ChaosCluster cluster, Fault fault, ChaosSettings settings, PrintStream progress) {
      this.cluster = cluster;
      this.fault = fault;
      this.settings = settings;
      this.progress = progress;
      this.spread = new SpreadOverNodes(cluster.endpoints());
    }

    @Override
    public DeviceClientSettings client(int index, DeviceClientSettings defaults) {
      return spread.client(index, defaults);
    }

    @Override
    public void conversationsCreated(List<String> conversationIds) {
      this.conversationIds = List.copyOf(conversationIds);
    }

    @Override
    public void offeringStarted(long startedNanos) {
      this.startedNanos = startedNanos;
      this.log = new FaultLog(startedNanos, progress);
      this.load = new LoadUnderFault(conversationIds, settings.duration());
      faultThread.schedule(() -> {
        try {
          fault.strike(cluster, load, log);
          struck.complete(null);
        } catch (Throwable e) {
          struck.completeExceptionally(e);
        }
      }, settings.faultAt().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void offeringEnded() {
      drainedAtS = (System.nanoTime() - startedNanos) / 1e9;
      // The checker reads Cassandra next, and the next scenario needs every node: wait for the fault to be healed.
      var bound = settings.faultAt().plus(settings.timings().healTimeout().multipliedBy(cluster.nodes().size() + 1));
      try {
        struck.get(bound.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        log.problem("the fault could not be injected or healed: " + e.getCause());
      } catch (TimeoutException e) {
        log.problem("the fault was not over within " + bound);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.problem("interrupted while waiting for the fault to end");
      } finally {
        faultThread.shutdownNow();
      }
    }

    @Override
    public Optional<FaultReport> faultReport(List<TimelineSample> timeline) {
      var injected = log.firstInjectionS();
      if (injected.isEmpty()) {
        log.problem("the fault never struck");
      }
      if (injected.isPresent()) {
        try {
          fault.judge(cluster, load, timeline, log);
        } catch (Exception e) {
          log.problem("the fault's own checks of the run could not be made: " + e);
        }
      }
      double at = injected.orElse(Double.NaN);
      double recovery = injected.isPresent() ? Recovery.seconds(timeline, at, drainedAtS) : Double.NaN;
      report = new FaultReport(fault.name(), Math.round(at * 10) / 10.0, recovery, log.markers(), log.evidence(),
          log.problems());
      return Optional.of(report);
    }
  }
}
