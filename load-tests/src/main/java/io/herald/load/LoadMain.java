package io.herald.load;

import io.herald.load.baseline.BaselineException;
import io.herald.load.check.JournalReadException;
import io.herald.load.node.NodeProcessException;
import io.herald.load.ramp.RampPlan;
import io.herald.load.ramp.StepCriteria;
import io.herald.load.sessions.SessionsScenario;
import io.herald.load.sim.TrafficMix;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Command line of the load runner.
 *
 * <pre>
 * LoadMain --scenario steady --report DIR --url ws://127.0.0.1:8080/v1/ws --secret S --users N --rate R
 *          --duration 10s --cassandra 127.0.0.1:9042 [--local-dc datacenter1] [--keyspace herald] [--in-flight 16]
 *          [--work-dir DIR] [--kafka H:P [--baseline-duration 5s] [--kafka-replication 1]]
 *          [--warm-up 5s] [--p99-bound 500ms] [--keep-up 0.9] [--apply-p99-bound 1s] [--ramp-factor 1.5]
 *          [--ramp-steps 10]
 *          [--overload-factor 3] [--saturation-rate R]
 *          [--hostile-chats 100] [--hostile-parked 80] [--hostile-burst 400] [--hostile-reads 100]
 * </pre>
 *
 * Exit status: 0 when every invariant held (for {@code recovery} and {@code scale}, which report figures and judge
 * no invariant: when the figures were measured), 1 when the checker found a loss, duplicate, reorder or push gap, 2
 * when the run could not be made or judged (usage, Herald or Cassandra unreachable, the node not settling within a
 * bound, report not writable).
 */
public final class LoadMain {

  static final String USAGE = String.join("\n",
      "usage: load --scenario steady|ramp|overload|noisy-neighbour|recovery|scale --report DIR [options]",
      "  --url URL          Herald WebSocket endpoint, this machine only (default ws://127.0.0.1:8080/v1/ws)",
      "  --secret S         JWT secret of Herald (default: environment HERALD_JWT_SECRET)",
      "  --users N          simulated devices, one user each (default 20)",
      "  --rate R           offered frames per second over all devices (default 100)",
      "  --duration D       how long to offer, e.g. 500ms, 10s, 2m (default 10s)",
      "  --cassandra H:P    Cassandra contact point for the checker, this machine only (default 127.0.0.1:9042)",
      "  --local-dc NAME    Cassandra local data center (default datacenter1)",
      "  --keyspace NAME    Herald's journal keyspace (default herald)",
      "  --in-flight N      frames in flight per device (default 16)",
      "  --work-dir DIR     where device outboxes live (default DIR/outboxes)",
      "  --kafka H:P        Kafka bootstrap, this machine only: measure raw Kafka and raw Cassandra first (default:",
      "                     none, ratio_to_raw_kafka and ratio_to_raw_cassandra are null)",
      "  --baseline-duration D  each baseline's measured window, after 1 s of warm-up (default 5s)",
      "  --kafka-replication N  replication factor of the baseline topic herald.baseline if created (default 1)",
      "ramp (steps of --duration each, the first at --rate, on fresh devices; stops at the first failing step):",
      "  --warm-up D        an unjudged steady phase first, at the first step's rate; 0s: none (default 5s)",
      "  --ramp-factor F    each step offers F times the one before (default 1.5)",
      "  --ramp-steps N     at most N steps (default 10)",
      "  --p99-bound D      a step fails when its send-to-ack p99 exceeds D (default 500ms)",
      "  --keep-up K        a step fails when its acks/s < K x offered/s or a frame was not acked (default 0.9)",
      "  --apply-p99-bound D  a step fails when its frames' receipt-to-journal p99 exceeds D (default 1s)",
      "overload (--duration at F x the saturation rate; --rate is ignored):",
      "  --overload-factor F  (default 3)",
      "  --saturation-rate R  frames/s; without it the ramp runs first and its saturation rate is used; with it,",
      "                     --warm-up runs first at R",
      "  --mix M            shares of telemetry, shadow (report_state) and chat, e.g. telemetry=70,shadow=10,chat=20",
      "                     (default telemetry=100)",
      "  --conversation-size N  members per chat conversation (default 5)",
      "the node itself (ramp: CPU per frame; recovery and scale: entity counts, metrics, heap):",
      "  --node-pid PID     the node's JVM process on this machine (default: none, CPU and heap not measured)",
      "  --management URL   the node's management port (default http://127.0.0.1:8558)",
      "recovery (one device gets --events telemetry frames, the node passivates its entity, one read times it):",
      "  --events N         frames, each one event of the Device entity (default 100000)",
      "  --passivation-wait D  bound on waiting for the node to passivate its Device entities (default 3m)",
      "scale (the same --rate for --duration over D1, then over D2 distinct devices, over CoAP):",
      "  --coap URL         the node's CoAP endpoint (default coap://127.0.0.1:5683)",
      "  --scale-devices D1,D2  distinct devices of each phase (default 1000,1000000)",
      "  --scale-in-flight N  CoAP requests unanswered at once, over all devices (default 512)",
      "  --heap-settle D      scale: wait after each phase before reading the heap (default 0s; 260s outlasts the",
      "                       node's CoAP exchanges, so the heap added is the entities')",
      "noisy-neighbour (the steady load alone, then beside a user filling every budget it can reach, round after round):",
      "  --hostile-chats N  16,000-character chats its peer sends per round, pushes never acknowledged (default 100)",
      "  --hostile-parked N  16,000-character sends per round to a conversation nobody creates (default 80)",
      "  --hostile-burst N  heartbeats per round one of its devices sends at once (default 400)",
      "  --hostile-reads N  REST reads per round sent at once (default 100)",
      "scenarios: " + new java.util.TreeSet<>(Scenarios.NAMES),
      "sessions: many idle sessions held with heartbeats; see --scenario sessions --help");

  private static final Set<String> OPTIONS = Set.of("--scenario", "--report", "--url", "--secret", "--users", "--rate",
      "--duration", "--cassandra", "--local-dc", "--keyspace", "--in-flight", "--work-dir", "--kafka",
      "--baseline-duration", "--kafka-replication", "--ramp-factor", "--ramp-steps", "--p99-bound", "--keep-up", "--apply-p99-bound",
      "--overload-factor", "--saturation-rate", "--warm-up", "--mix", "--conversation-size", "--node-pid",
      "--management", "--events", "--passivation-wait", "--coap", "--scale-devices", "--scale-in-flight",
      "--heap-settle", "--hostile-chats", "--hostile-parked", "--hostile-burst", "--hostile-reads");

  private LoadMain() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.getenv(), System.out, System.err));
  }

  /** Runs what the arguments ask for; the exit code: 0 done (and clean), 1 the checker found a violation, 2 not run. */
  static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
    // The sessions scenario has options of its own, and its own usage (--scenario sessions --help).
    if (SessionsScenario.requested(args)) {
      return SessionsScenario.main(args, environment, out);
    }
    if (OptionValues.helpRequested(args)) {
      out.println(USAGE);
      return 0;
    }
    ScenarioPlan plan;
    try {
      plan = parsePlan(args, environment);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      if (Scenarios.MEASURED.contains(plan.settings().scenario())) {
        Scenarios.measure(plan, out);
        return 0;
      }
      var result = Scenarios.run(plan, out);
      return result.check().clean() ? 0 : 1;
    } catch (IOException e) {
      err.println("error: cannot write the report: " + e.getMessage());
      return 2;
    } catch (Scenarios.NoSessionException | JournalReadException | BaselineException | NodeProcessException
        | Scenarios.NotSettledException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
  }

  /** The settings the arguments name; {@link IllegalArgumentException} says what is wrong. */
  static ScenarioSettings parse(List<String> args, Map<String, String> environment) {
    return parsePlan(args, environment).settings();
  }

  /** The settings, ramp, overload and baselines the arguments name. */
  static ScenarioPlan parsePlan(List<String> args, Map<String, String> environment) {
    Map<String, String> values = values(args);
    var plan = ScenarioPlan.of(settings(values, environment))
        .withRamp(
            new RampPlan(OptionValues.decimal(values.getOrDefault("--rate", "100"), "--rate"),
                OptionValues.decimal(values.getOrDefault("--ramp-factor", "1.5"), "--ramp-factor"),
                OptionValues.integer(values.getOrDefault("--ramp-steps", "10"), "--ramp-steps")),
            new StepCriteria(OptionValues.duration(values.getOrDefault("--p99-bound", "500ms"), "--p99-bound"),
                OptionValues.decimal(values.getOrDefault("--keep-up", "0.9"), "--keep-up"),
                OptionValues.duration(values.getOrDefault("--apply-p99-bound", "1s"), "--apply-p99-bound")))
        .withOverload(OptionValues.decimal(values.getOrDefault("--overload-factor", "3"), "--overload-factor"),
            values.containsKey("--saturation-rate")
                ? OptionalDouble.of(OptionValues.decimal(values.get("--saturation-rate"), "--saturation-rate"))
                : OptionalDouble.empty())
        .withWarmUp(OptionValues.duration(values.getOrDefault("--warm-up", "5s"), "--warm-up"))
        .withMix(mix(values))
        .withNode(new NodeAccess(
            values.containsKey("--node-pid")
                ? OptionalLong.of(OptionValues.integer(values.get("--node-pid"), "--node-pid")) : OptionalLong.empty(),
            URI.create(values.getOrDefault("--management", "http://127.0.0.1:8558")),
            URI.create(values.getOrDefault("--coap", "coap://127.0.0.1:5683"))))
        .withRecovery(new RecoveryPlan(
            OptionValues.integer(values.getOrDefault("--events", "100000"), "--events"),
            OptionValues.duration(values.getOrDefault("--passivation-wait", "3m"), "--passivation-wait")))
        .withScale(ScalePlan.parse(values.getOrDefault("--scale-devices", "1000,1000000"),
            OptionValues.integer(values.getOrDefault("--scale-in-flight", "512"), "--scale-in-flight"),
            OptionValues.duration(values.getOrDefault("--heap-settle", "0s"), "--heap-settle")))
        .withHostile(new HostilePlan(
            OptionValues.integer(values.getOrDefault("--hostile-chats", "100"), "--hostile-chats"),
            OptionValues.integer(values.getOrDefault("--hostile-parked", "80"), "--hostile-parked"),
            OptionValues.integer(values.getOrDefault("--hostile-burst", "400"), "--hostile-burst"),
            OptionValues.integer(values.getOrDefault("--hostile-reads", "100"), "--hostile-reads")));
    if (values.containsKey("--kafka")) {
      for (String server : values.get("--kafka").split(",")) {
        hostPort(server.strip());
      }
      plan = plan.withBaselines(new BaselineTargets(values.get("--kafka"),
          (short) OptionValues.integer(values.getOrDefault("--kafka-replication", "1"), "--kafka-replication"),
          OptionValues.duration(values.getOrDefault("--baseline-duration", "5s"), "--baseline-duration")));
    }
    return plan;
  }

  /** The traffic mix the arguments name (telemetry only without {@code --mix}). */
  private static TrafficMix mix(Map<String, String> values) {
    int size = OptionValues.integer(values.getOrDefault("--conversation-size", "5"), "--conversation-size");
    return values.containsKey("--mix") ? TrafficMix.parse(values.get("--mix"), size)
        : new TrafficMix(100, 0, 0, size);
  }

  private static Map<String, String> values(List<String> args) {
    var values = new HashMap<String, String>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      values.put(name, args.get(++i));
    }
    return values;
  }

  private static ScenarioSettings settings(Map<String, String> values, Map<String, String> environment) {
    String scenario = require(values, "--scenario");
    if (!Scenarios.NAMES.contains(scenario)) {
      throw new Scenarios.UnknownScenarioException(scenario, Scenarios.NAMES);
    }
    Path report = Path.of(require(values, "--report"));
    String secret = values.getOrDefault("--secret", environment.get("HERALD_JWT_SECRET"));
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("--secret (or HERALD_JWT_SECRET) is required");
    }
    var settings = ScenarioSettings.steady(
            URI.create(values.getOrDefault("--url", "ws://127.0.0.1:8080/v1/ws")),
            secret,
            OptionValues.integer(values.getOrDefault("--users", "20"), "--users"),
            OptionValues.decimal(values.getOrDefault("--rate", "100"), "--rate"),
            OptionValues.duration(values.getOrDefault("--duration", "10s"), "--duration"),
            hostPort(values.getOrDefault("--cassandra", "127.0.0.1:9042")),
            report)
        .withLocalDatacenter(values.getOrDefault("--local-dc", "datacenter1"))
        .withKeyspace(values.getOrDefault("--keyspace", "herald"))
        .withMaxInFlightPerDevice(OptionValues.integer(values.getOrDefault("--in-flight", "16"), "--in-flight"));
    if (values.containsKey("--work-dir")) {
      settings = settings.withWorkDirectory(Path.of(values.get("--work-dir")));
    }
    return new ScenarioSettings(scenario, settings.url(), settings.jwtSecret(), settings.devices(),
        settings.ratePerSecond(), settings.duration(), settings.cassandra(), settings.localDatacenter(),
        settings.keyspace(), settings.reportDirectory(), settings.workDirectory(), settings.maxInFlightPerDevice(),
        settings.connectTimeout(), settings.drainTimeout(), settings.settleTimeout(), settings.printProgress());
  }

  static InetSocketAddress hostPort(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--cassandra and --kafka must be HOST:PORT, got " + text);
    }
    String host = text.substring(0, colon).replace("[", "").replace("]", "");
    return LocalTargets.requireLocal(
        InetSocketAddress.createUnresolved(host, OptionValues.integer(text.substring(colon + 1), "port")));
  }

  private static String require(Map<String, String> values, String name) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

}
