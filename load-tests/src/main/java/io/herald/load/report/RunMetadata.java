package io.herald.load.report;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run's numbers depend on besides Herald: which Herald, which JVM on how many CPUs, how loaded the machine was
 * at the start and the end (another process eating the CPU shows here), when, and with which settings. In summary.json
 * as {@code run}.
 *
 * @param heraldVersion the load tool's version (the jar's Implementation-Version), null when unknown (run from classes)
 * @param heraldCommit {@code HERALD_COMMIT} from the environment, null when not set
 * @param jvm vendor, version and VM name
 * @param cpus processors available to the JVM
 * @param loadAverageStart the system load average (1 min) when the run started; null where the OS has none
 * @param loadAverageEnd the same when it ended
 * @param settings the run's settings as given (no secrets)
 */
public record RunMetadata(String heraldVersion, String heraldCommit, String jvm, int cpus, Double loadAverageStart,
    Double loadAverageEnd, Instant startedAt, Instant endedAt, Map<String, String> settings) {

  public RunMetadata {
    // Kept in the order given (Map.copyOf would not).
    settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  /** The machine as a run starts: {@link Started#ended()} completes it. */
  public static Started start(Map<String, String> settings, Clock clock) {
    return new Started(new LinkedHashMap<>(settings), clock, clock.instant(), loadAverage());
  }

  /** The start of a run's metadata. */
  public record Started(Map<String, String> settings, Clock clock, Instant at, Double loadAverage) {

    public RunMetadata ended() {
      Package pkg = RunMetadata.class.getPackage();
      String commit = System.getenv("HERALD_COMMIT");
      return new RunMetadata(pkg == null ? null : pkg.getImplementationVersion(),
          commit == null || commit.isBlank() ? null : commit.strip(),
          System.getProperty("java.vendor") + " " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
          Runtime.getRuntime().availableProcessors(), loadAverage, loadAverage(), at, clock.instant(), settings);
    }
  }

  private static Double loadAverage() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? null : Math.round(load * 100) / 100.0;
  }

  void writeJson(Json json) {
    json.object("run");
    json.field("herald_version", heraldVersion).field("herald_commit", heraldCommit).field("jvm", jvm)
        .field("cpus", cpus).nullableNumber("load_average_start", loadAverageStart)
        .nullableNumber("load_average_end", loadAverageEnd).field("started_at", startedAt.toString())
        .field("ended_at", endedAt.toString()).strings("settings", settings);
    json.end();
  }
}
