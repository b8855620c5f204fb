package io.herald.load;

import io.herald.load.check.AckedMessage;
import io.herald.load.check.ApplyLatency;
import io.herald.load.check.CassandraJournal;
import io.herald.load.check.CheckInput;
import io.herald.load.check.CheckResult;
import io.herald.load.check.InvariantChecker;
import io.herald.load.check.JournalEntry;
import io.herald.load.check.JournalReadException;
import io.herald.load.check.PushStream;
import io.herald.client.DeviceClientSettings;
import io.herald.load.report.BaselineComparison;
import io.herald.load.report.LatencyMs;
import io.herald.load.report.ReportExtras;
import io.herald.load.report.ReportWriter;
import io.herald.load.report.RunMetadata;
import io.herald.load.report.RunMetrics;
import io.herald.load.report.RunSummary;
import io.herald.load.report.TimelineSample;
import io.herald.load.sim.DaemonThreads;
import io.herald.load.sim.DeviceTokens;
import io.herald.load.sim.SimulatedDevice;
import io.herald.load.sim.LoadConversations;
import io.herald.load.sim.LoadFrames;
import io.herald.load.sim.TrafficMix;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Load scenarios. A run: connect the devices, offer frames at the target rate (open model), wait for the last acks,
 * read what Herald applied from Cassandra until every acked frame is there (or the settle bound passes), check the
 * invariants, write the report.
 */
public final class Scenarios {

  /** The scenarios {@link #run} knows: load whose every acked frame the invariant checker follows into the journal. */
  public static final Set<String> CHECKED = Set.of("steady", "ramp", "overload", "noisy-neighbour");
  /**
   * The scenarios {@link #measure} knows: benchmarks that report figures of the node (recovery time, rates over many
   * devices, heap), not invariants.
   */
  public static final Set<String> MEASURED = Set.of("recovery", "scale");
  public static final Set<String> NAMES = Set.of("steady", "ramp", "overload", "noisy-neighbour", "recovery", "scale");

  private static final Duration POLL = Duration.ofMillis(200);

  private Scenarios() {}

  /**
   * Runs a scenario and writes {@code summary.json} and {@code report.html} to its report directory.
   *
   * @throws UnknownScenarioException for a name not in {@link #NAMES}
   * @throws IOException when the report or the outboxes cannot be written
   */
  public static ScenarioResult run(ScenarioSettings settings, PrintStream progress) throws IOException {
    return run(ScenarioPlan.of(settings), progress);
  }

  /**
   * Runs a scenario with its ramp, overload and baseline settings; the baselines (when asked for) first.
   *
   * @throws io.herald.load.baseline.BaselineException when a baseline cannot be set up
   */
  public static ScenarioResult run(ScenarioPlan plan, PrintStream progress) throws IOException {
    ScenarioSettings settings = plan.settings();
    if (!CHECKED.contains(settings.scenario())) {
      throw new UnknownScenarioException(settings.scenario(), CHECKED);
    }
    BaselineComparison baselines = Baselines.measure(plan, progress);
    return switch (settings.scenario()) {
      case "ramp" -> RampScenario.run(plan, progress, baselines);
      case "overload" -> OverloadScenario.run(plan, progress, baselines);
      case "noisy-neighbour" -> NoisyNeighbourScenario.run(plan, progress);
      default -> steady(settings, plan.mix(), progress, ReportExtras.of(baselines));
    };
  }

  /**
   * Runs a benchmark of {@link #MEASURED} (the baselines first, when asked for and the scenario compares with them)
   * and writes its {@code summary.json} and {@code report.html}.
   *
   * @throws NotSettledException when the node did not get where the measurement needs it within its bound
   * @throws io.herald.load.node.NodeProcessException when the node's process or management port cannot be read
   */
  public static void measure(ScenarioPlan plan, PrintStream progress) throws IOException {
    switch (plan.settings().scenario()) {
      case "recovery" -> RecoveryScenario.run(plan, progress);
      case "scale" -> ScaleScenario.run(plan, progress, Baselines.measure(plan, progress));
      default -> throw new UnknownScenarioException(plan.settings().scenario(), MEASURED);
    }
  }

  /** Constant rate for the whole duration, spread evenly over the devices, each sending the mix. */
  static ScenarioResult steady(ScenarioSettings settings, TrafficMix mix, PrintStream progress, ReportExtras extras)
      throws IOException {
    return steady(settings, mix, progress, extras, RunExtras.NONE);
  }

  /**
   * {@link #steady(ScenarioSettings, TrafficMix, PrintStream, ReportExtras)} with what a caller adds to the run
   * ({@code hooks}: the chaos harness spreads the devices, injects its fault, adds it to the report); the scenario's
   * name is the settings'.
   */
  public static ScenarioResult steady(ScenarioSettings settings, TrafficMix mix, PrintStream progress,
      ReportExtras extras, RunExtras hooks) throws IOException {
    String run = UUID.randomUUID().toString().substring(0, 8);
    var metrics = new RunMetrics();
    var devices = new ArrayList<SimulatedDevice>();
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("herald-load-client"));
    ExecutorService httpThreads = Executors.newFixedThreadPool(2, DaemonThreads.named("herald-load-http"));
    var http = HttpClient.newBuilder().executor(httpThreads).build();
    int seconds = (int) Math.max(1, Math.ceil(settings.duration().toMillis() / 1000.0));
    long started;
    long ended;
    RunMetadata runMetadata;
    LoadConversations conversations;
    try {
      for (int i = 0; i < settings.devices(); i++) {
        String user = "load-" + run + "-u" + i;
        String device = "load-" + run + "-d" + i;
        String token = DeviceTokens.mint(settings.jwtSecret(), user, device, settings.duration().plus(Duration.ofHours(1)));
        var clientSettings = hooks.client(i, DeviceClientSettings.defaults(settings.url(), token,
            settings.workDirectory().resolve(run).resolve(device)).withMaxInFlight(settings.maxInFlightPerDevice()));
        devices.add(SimulatedDevice.start(user, device, clientSettings, metrics, scheduler, http));
      }
      waitUntil(() -> devices.stream().allMatch(SimulatedDevice::connectedOnce), settings.connectTimeout());
      if (devices.stream().noneMatch(SimulatedDevice::connectedOnce)) {
        throw new NoSessionException(settings.url(), settings.connectTimeout());
      }
      conversations = mix.hasChat() ? LoadConversations.create(run, devices, mix.conversationSize()) : null;
      hooks.conversationsCreated(conversations == null ? List.of() : conversations.ids());

      var sampler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("herald-load-progress"));
      started = System.nanoTime();
      RunMetadata.Started runStarted = RunMetadata.start(settings.described(), Clock.systemUTC());
      sampler.scheduleAtFixedRate(() -> {
        TimelineSample sample = metrics.sample();
        if (settings.printProgress()) {
          long inFlight = devices.stream().mapToLong(SimulatedDevice::unacknowledged).sum();
          progress.println(metrics.progressLine(sample, inFlight, seconds));
        }
      }, 1, 1, TimeUnit.SECONDS);
      try {
        hooks.offeringStarted(started);
        offerAtRate(settings, devices, started, mix, conversations);
        waitUntil(() -> devices.stream().allMatch(d -> d.unacknowledged() == 0), settings.drainTimeout());
        ended = System.nanoTime();
        runMetadata = runStarted.ended();
        hooks.offeringEnded();
      } finally {
        sampler.shutdownNow();
      }
    } finally {
      devices.forEach(SimulatedDevice::close);
      scheduler.shutdownNow();
      httpThreads.shutdownNow();
    }

    Checked checked = checkInvariants(settings, devices, conversations);
    CheckResult check = checked.result();
    double elapsedSeconds = Math.max(1e-3, (ended - started) / 1e9);
    var summary = new RunSummary(
        settings.scenario(),
        settings.ratePerSecond(),
        settings.duration().toMillis() / 1000.0,
        settings.devices(),
        metrics.sentCount(),
        metrics.ackedCount(),
        metrics.nacksByCode(),
        devices.stream().mapToLong(SimulatedDevice::refused).sum(),
        devices.stream().mapToLong(SimulatedDevice::gaveUp).sum(),
        devices.stream().mapToLong(SimulatedDevice::abandoned).sum(),
        metrics.outboxFullCount(),
        metrics.clientStoppedCount(),
        check.applied(),
        check.pushesReceived(),
        check.lost(),
        check.duplicates(),
        check.outOfOrder(),
        check.appliedNotAcked(),
        check.pushGaps(),
        check.pushDuplicates(),
        Math.round(metrics.ackedCount() / elapsedSeconds * 10) / 10.0,
        metrics.latency(),
        metrics.pushLatency().orElse(null),
        metrics.nackLatency().orElse(null),
        checked.applyLatency(),
        check.findings());
    ReportWriter.write(settings.reportDirectory(), summary, metrics.timeline(),
        extras.withFault(hooks.faultReport(metrics.timeline()).orElse(null)).withRun(runMetadata)
            .withLatency(metrics.latencyDistribution()));
    if (settings.printProgress()) {
      progress.println("sent " + summary.sent() + ", acked " + summary.acked() + ", applied " + summary.applied()
          + ", pushes " + summary.delivered() + " | lost " + check.lost() + ", duplicates " + check.duplicates()
          + ", out of order " + check.outOfOrder() + ", push gaps " + check.pushGaps() + " | report in "
          + settings.reportDirectory().toAbsolutePath());
    }
    return new ScenarioResult(summary, check, settings.reportDirectory());
  }

  /**
   * Arrivals on a fixed schedule, round robin over the devices, each device's k-th arrival of the kind the mix gives
   * k; a late arrival goes at once (no catch-up pause).
   */
  private static void offerAtRate(ScenarioSettings settings, List<SimulatedDevice> devices, long started,
      TrafficMix mix, LoadConversations conversations) {
    long total = Math.round(settings.ratePerSecond() * settings.duration().toMillis() / 1000.0);
    double intervalNanos = 1e9 / settings.ratePerSecond();
    var readingCounter = new AtomicInteger();
    for (long i = 0; i < total; i++) {
      long due = started + (long) (i * intervalNanos);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      SimulatedDevice device = devices.get((int) (i % devices.size()));
      int reading = readingCounter.incrementAndGet();
      switch (mix.kindOf(i / devices.size())) {
        case TELEMETRY -> device.offer(LoadFrames.telemetry(reading));
        case SHADOW -> device.offer(LoadFrames.reportState(reading));
        case CHAT -> {
          String conversation = conversations.of(device);
          device.offer(LoadFrames.chat(conversation, reading), LoadConversations.stream(conversation, device.userId()));
        }
      }
    }
  }

  /**
   * Reads the journal until every acked frame is applied or the settle bound passes, then judges. The ordered
   * streams are each device's own frames (its Device entity's journal) and each sender's messages in each
   * conversation (the Conversation entity's journal, by conversation_seq).
   */
  /** The checker's verdict, and how far applying lagged acking (null when the journal gave no receipt times). */
  private record Checked(CheckResult result, LatencyMs applyLatency) {}

  private static Checked checkInvariants(ScenarioSettings settings, List<SimulatedDevice> devices,
      LoadConversations conversations) {
    Map<String, List<AckedMessage>> acked = new HashMap<>();
    Map<String, PushStream> pushes = new HashMap<>();
    for (SimulatedDevice device : devices) {
      device.ackedByStream().forEach((stream, messages) -> {
        if (!LoadConversations.isSetup(stream)) {
          acked.put(stream, messages);
        }
      });
      acked.putIfAbsent(device.deviceId(), List.of());
      pushes.put(device.userId() + "/" + device.deviceId(), device.pushes());
    }
    try (var journal = openJournal(settings)) {
      long deadline = System.nanoTime() + settings.settleTimeout().toNanos();
      while (true) {
        Map<String, List<JournalEntry>> applied = new HashMap<>();
        for (SimulatedDevice device : devices) {
          applied.put(device.deviceId(), journal.deviceEntries(device.deviceId()));
        }
        if (conversations != null) {
          for (String conversation : conversations.ids()) {
            for (var message : journal.conversationMessages(conversation)) {
              applied.computeIfAbsent(LoadConversations.stream(conversation, message.senderUserId()),
                  stream -> new ArrayList<>()).add(message.entry());
            }
          }
        }
        CheckResult result = InvariantChecker.check(CheckInput.fromJournal(acked, applied, pushes));
        // Applying lags acking: a missing message is only lost once the settle bound has passed.
        if (result.lost() == 0 || System.nanoTime() > deadline) {
          return new Checked(result, ApplyLatency.of(applied.values()));
        }
        LockSupport.parkNanos(POLL.toNanos());
      }
    }
  }

  private static CassandraJournal openJournal(ScenarioSettings settings) {
    try {
      return CassandraJournal.connect(settings.cassandra(), settings.localDatacenter(), settings.keyspace());
    } catch (RuntimeException e) {
      throw new JournalReadException("cannot read Herald's journal at " + settings.cassandra() + ": " + e.getMessage(), e);
    }
  }

  /** Polls {@code condition} until it holds or {@code bound} passes; says whether it held. */
  public static boolean waitUntil(BooleanSupplier condition, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
    return true;
  }

  /** Not one device could open a session: Herald is not there, or refuses the tokens. Nothing was offered. */
  public static final class NoSessionException extends IllegalStateException {
    public NoSessionException(java.net.URI url, Duration within) {
      super("no device could open a session at " + url + " within " + within.toSeconds()
          + " s: is Herald running there, with the same JWT secret?");
    }
  }

  /** The node did not reach, within the scenario's bound, the state a measurement needs (all applied, passivated). */
  public static final class NotSettledException extends IllegalStateException {
    public NotSettledException(String message) {
      super(message);
    }
  }

  /** A scenario name that {@link #run} does not know. */
  public static final class UnknownScenarioException extends IllegalArgumentException {
    public UnknownScenarioException(String name, Set<String> known) {
      super("unknown scenario '" + name + "'; known: " + new java.util.TreeSet<>(known));
    }
  }
}
