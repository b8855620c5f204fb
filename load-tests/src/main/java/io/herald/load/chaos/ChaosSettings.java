package io.herald.load.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One chaos run: the load that runs while the fault strikes, and when it strikes.
 *
 * @param devices simulated devices, each its own user, spread over the nodes (device i connects to node i mod N
 *     first and fails over to the next)
 * @param ratePerSecond offered telemetry frames per second over all devices (open model)
 * @param duration how long frames are offered
 * @param faultAt when the fault strikes, after the offering started
 * @param timings how long faults last and may take to heal
 * @param reportDirectory where summary.json, report.html and the device outboxes go
 */
public record ChaosSettings(int devices, double ratePerSecond, Duration duration, Duration faultAt,
    FaultTimings timings, Path reportDirectory) {

  public ChaosSettings {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(faultAt, "faultAt");
    Objects.requireNonNull(timings, "timings");
    Objects.requireNonNull(reportDirectory, "reportDirectory");
    if (faultAt.isNegative() || faultAt.compareTo(duration) >= 0) {
      throw new IllegalArgumentException("the fault must strike while the load runs: fault-at " + faultAt
          + " is not within the duration " + duration);
    }
  }

  public ChaosSettings withReportDirectory(Path value) {
    return new ChaosSettings(devices, ratePerSecond, duration, faultAt, timings, value);
  }
}
