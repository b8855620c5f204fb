package io.herald.load.chaos;

import io.herald.load.OptionValues;
import io.herald.load.check.JournalReadException;
import io.herald.load.sim.TrafficMix;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command line of the chaos scenarios: starts a {@link ChaosCluster}, runs the steady load with the fault, judges,
 * writes the report, stops the cluster.
 *
 * <pre>
 * chaos --list
 * chaos SCENARIO|all --report DIR [--nodes 3] [--users 20] [--rate 100] [--duration 40s] [--fault-at 10s]
 *       [--hold 10s] [--freeze 30s] [--stable-after 5s] [--poison 20] [--catch-up 2m] [--repeat 1] [--data-dir DIR]
 *       [--node-classpath CP]
 * </pre>
 *
 * Exit status: 0 the invariants (and the fault's own checks) held, 1 a violation, 2 the run could not be made (usage,
 * cluster did not start or heal, report not writable), 3 skipped (the fault cannot be injected here).
 */
public final class ChaosMain {

  public static final int HELD = 0;
  public static final int VIOLATION = 1;
  public static final int COULD_NOT_RUN = 2;
  public static final int SKIPPED = 3;

  /** The node's classpath when --node-classpath is not given; bin/herald sets it. */
  static final String NODE_CLASSPATH_PROPERTY = "herald.node.classpath";

  static final String USAGE = String.join("\n",
      "usage: chaos --list",
      "       chaos SCENARIO|all --report DIR [options]",
      "  --nodes N          Herald node processes, 2 or 3 (default 3)",
      "  --users N          simulated devices, one user each, spread over the nodes (default 20)",
      "  --rate R           offered frames per second over all devices (default 100)",
      "  --duration D       how long to offer, e.g. 500ms, 10s, 2m (default 40s)",
      "  --fault-at D       when the fault strikes after the load started (default 10s)",
      "  --hold D           how long a broker, Cassandra or Solr stays down (default 10s)",
      "  --freeze D         how long node-freeze keeps the node stopped, node-partition cut off (default 30s)",
      "  --stable-after D   Split Brain Resolver stable-after of the nodes (default 5s)",
      "  --poison N         undecodable records poison-records writes (default 20)",
      "  --catch-up D       solr-kill: the bound on search indexing, once Solr is back, every chat message journaled",
      "                     by then (default 2m)",
      "  --repeat N         run each scenario N times on the same cluster (a soak); each run reports under run-<i>/",
      "                     and the totals go to soak.txt (default 1)",
      "  --data-dir DIR     Kafka, Cassandra and node data and logs, kept and reused (default: the report's",
      "                     cluster/ directory, emptied before the run)",
      "  --node-classpath CP  the node's classpath (default: system property " + NODE_CLASSPATH_PROPERTY + ")");

  private static final Set<String> OPTIONS = Set.of("--report", "--nodes", "--users", "--rate", "--duration",
      "--fault-at", "--hold", "--freeze", "--stable-after", "--poison", "--catch-up", "--repeat", "--data-dir", "--node-classpath");

  private ChaosMain() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (OptionValues.helpRequested(args)) {
      out.println(USAGE);
      return HELD;
    }
    if (args.contains("--list")) {
      Faults.all(FaultTimings.defaults()).values().forEach(f -> out.printf(Locale.ROOT, "%-16s %s%n", f.name(),
          f.description()));
      return HELD;
    }
    Invocation invocation;
    try {
      invocation = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return COULD_NOT_RUN;
    }
    return execute(invocation, out, err);
  }

  private static int execute(Invocation invocation, PrintStream out, PrintStream err) {
    var faults = invocation.faults();
    ChaosClusterSettings clusterSettings;
    try {
      clusterSettings = invocation.cluster();
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return COULD_NOT_RUN;
    }
    try {
      if (invocation.freshDataDir()) {
        deleteRecursively(clusterSettings.dataDir());
      }
      out.println("Starting the chaos cluster: " + clusterSettings.nodes() + " nodes, " + ChaosCluster.BROKERS
          + " brokers, Cassandra" + (clusterSettings.search() ? ", Solr (chat search on)" : "") + " (data in "
          + clusterSettings.dataDir() + ")...");
      try (var cluster = ChaosCluster.start(clusterSettings)) {
        // With chat search, the warm-up sends chat too: the projection creates its collection before a fault strikes.
        var warmUpMix = faults.stream().filter(Fault::needsSearch).map(Fault::mix).findFirst()
            .orElse(TrafficMix.TELEMETRY_ONLY);
        ChaosRun.warmUp(cluster, invocation.chaos(), warmUpMix, out);
        int worst = HELD;
        var lines = new ArrayList<String>();
        var totals = new ArrayList<SoakTotals>();
        for (Fault fault : faults) {
          var soak = new SoakTotals(fault.name());
          totals.add(soak);
          var base = faults.size() == 1 ? invocation.chaos().reportDirectory()
              : invocation.chaos().reportDirectory().resolve(fault.name());
          for (int run = 1; run <= invocation.repeat(); run++) {
            var settings = invocation.chaos().withReportDirectory(
                invocation.repeat() == 1 ? base : base.resolve("run-" + run));
            var result = ChaosRun.run(cluster, fault, settings, out);
            int code = result.wasSkipped() ? SKIPPED : result.held() ? HELD : VIOLATION;
            lines.add(verdictLine(result));
            soak.add(result);
            worst = worse(worst, code);
          }
        }
        out.println();
        lines.forEach(out::println);
        if (invocation.repeat() > 1) {
          var soakLines = totals.stream().map(SoakTotals::line).toList();
          out.println();
          soakLines.forEach(out::println);
          var all = new ArrayList<>(lines);
          all.add("");
          all.addAll(soakLines);
          java.nio.file.Files.write(invocation.chaos().reportDirectory().resolve("soak.txt"), all);
        }
        return worst;
      }
    } catch (ChaosCluster.ClusterNotWholeException | JournalReadException | io.herald.infra.InfraStartException e) {
      err.println("error: " + e.getMessage());
      return COULD_NOT_RUN;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return COULD_NOT_RUN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return COULD_NOT_RUN;
    }
  }

  /** A violation outweighs a skip, which outweighs a clean run. */
  private static int worse(int a, int b) {
    return a == VIOLATION || b == VIOLATION ? VIOLATION : Math.max(a, b);
  }

  private static String verdictLine(ChaosResult result) {
    if (result.wasSkipped()) {
      return String.format(Locale.ROOT, "%-16s skipped: %s", result.scenario(), result.skippedBecause().get());
    }
    var summary = result.load().orElseThrow().summary();
    var fault = result.fault().orElseThrow();
    return String.format(Locale.ROOT, "%-16s %s  sent %d acked %d lost %d duplicates %d out_of_order %d push_gaps %d"
            + "  recovery_s %s%s%s  report %s",
        result.scenario(), result.held() ? "held     " : "VIOLATION", summary.sent(), summary.acked(), summary.lost(),
        summary.duplicates(), summary.outOfOrder(), summary.pushGaps(), fault.recoveryS(),
        fault.evidence().isEmpty() ? "" : "  evidence " + new java.util.TreeMap<>(fault.evidence()),
        fault.problems().isEmpty() ? "" : "  problems: " + fault.problems(),
        result.load().get().reportDirectory().toAbsolutePath());
  }

  /** The parsed command line. */
  record Invocation(List<Fault> faults, ChaosSettings chaos, int nodes, Duration stableAfter, Path dataDir,
      String nodeClasspath, boolean freshDataDir, int repeat) {

    /** Solr runs only when a scenario of this invocation needs chat search. */
    ChaosClusterSettings cluster() {
      return new ChaosClusterSettings(nodes, stableAfter, dataDir, nodeClasspath, CLUSTER_START_TIMEOUT,
          faults.stream().anyMatch(Fault::needsSearch));
    }
  }

  /** Brokers, Cassandra, schema and nodes on a busy 2-core machine. */
  private static final Duration CLUSTER_START_TIMEOUT = Duration.ofMinutes(5);

  static Invocation parse(List<String> args) {
    if (args.isEmpty() || args.get(0).startsWith("--")) {
      throw new IllegalArgumentException("name a scenario (or all); chaos --list shows them");
    }
    String scenario = args.get(0);
    var values = new HashMap<String, String>();
    for (int i = 1; i < args.size(); i++) {
      String name = args.get(i);
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      values.put(name, args.get(++i));
    }
    String report = values.get("--report");
    if (report == null || report.isBlank()) {
      throw new IllegalArgumentException("--report is required");
    }
    var timings = new FaultTimings(OptionValues.duration(values.getOrDefault("--hold", "10s"), "--hold"),
        OptionValues.duration(values.getOrDefault("--freeze", "30s"), "--freeze"), FaultTimings.defaults().healTimeout(),
        OptionValues.integer(values.getOrDefault("--poison", "20"), "--poison"),
        OptionValues.duration(values.getOrDefault("--catch-up", "2m"), "--catch-up"));
    Map<String, Fault> known = Faults.all(timings);
    List<Fault> faults;
    if (scenario.equals("all")) {
      faults = List.copyOf(known.values());
    } else if (known.containsKey(scenario)) {
      faults = List.of(known.get(scenario));
    } else {
      throw new IllegalArgumentException("unknown scenario '" + scenario + "'; known: " + known.keySet() + " or all");
    }
    Path reportDirectory = Path.of(report);
    var chaos = new ChaosSettings(OptionValues.integer(values.getOrDefault("--users", "20"), "--users"),
        OptionValues.decimal(values.getOrDefault("--rate", "100"), "--rate"),
        OptionValues.duration(values.getOrDefault("--duration", "40s"), "--duration"),
        OptionValues.duration(values.getOrDefault("--fault-at", "10s"), "--fault-at"), timings, reportDirectory);
    String classpath = values.getOrDefault("--node-classpath", System.getProperty(NODE_CLASSPATH_PROPERTY, ""));
    return new Invocation(faults, chaos, OptionValues.integer(values.getOrDefault("--nodes", "3"), "--nodes"),
        OptionValues.duration(values.getOrDefault("--stable-after", "5s"), "--stable-after"),
        Path.of(values.getOrDefault("--data-dir", reportDirectory.resolve("cluster").toString())).toAbsolutePath(),
        classpath, !values.containsKey("--data-dir"), repeat(values.getOrDefault("--repeat", "1")));
  }

  private static int repeat(String value) {
    int repeat = OptionValues.integer(value, "--repeat");
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be at least 1, was " + repeat);
    }
    return repeat;
  }

  /** A previous run's cluster data would bring its ports and topics along: the default data directory starts empty. */
  private static void deleteRecursively(Path directory) throws IOException {
    if (!java.nio.file.Files.exists(directory)) {
      return;
    }
    try (var paths = java.nio.file.Files.walk(directory)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(path);
      }
    }
  }

}
