package io.herald.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One run: where Herald is, how much load, where the report goes. Every phase has a time bound.
 *
 * @param scenario the scenario's name ({@code steady})
 * @param url Herald's WebSocket endpoint (this machine only)
 * @param jwtSecret the secret Herald verifies device tokens with
 * @param devices simulated devices, each its own user
 * @param ratePerSecond offered frames per second over all devices (open model: arrivals do not wait for acks)
 * @param duration how long frames are offered
 * @param cassandra a Cassandra contact point (this machine only), for the checker
 * @param localDatacenter Cassandra's local data center
 * @param keyspace Herald's journal keyspace
 * @param reportDirectory where summary.json and report.html go
 * @param workDirectory where the devices' outboxes live
 * @param maxInFlightPerDevice frames a device has sent and not yet had answered
 * @param connectTimeout the bound on all devices connecting before the load starts
 * @param drainTimeout the bound on waiting for the last acks after the offering ends
 * @param settleTimeout the bound on waiting for acked frames to appear in the journal
 * @param printProgress print a progress line every second
 */
public record ScenarioSettings(
    String scenario,
    URI url,
    String jwtSecret,
    int devices,
    double ratePerSecond,
    Duration duration,
    InetSocketAddress cassandra,
    String localDatacenter,
    String keyspace,
    Path reportDirectory,
    Path workDirectory,
    int maxInFlightPerDevice,
    Duration connectTimeout,
    Duration drainTimeout,
    Duration settleTimeout,
    boolean printProgress) {

  /** Bounds that keep a mistyped argument from running for hours or opening thousands of sockets. */
  public static final int MAX_DEVICES = 10_000;
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  public ScenarioSettings {
    Objects.requireNonNull(scenario, "scenario");
    LocalTargets.requireLocal(url);
    LocalTargets.requireLocal(cassandra);
    Objects.requireNonNull(jwtSecret, "jwtSecret");
    Objects.requireNonNull(reportDirectory, "reportDirectory");
    Objects.requireNonNull(workDirectory, "workDirectory");
    if (devices < 1 || devices > MAX_DEVICES) {
      throw new IllegalArgumentException("devices must be 1.." + MAX_DEVICES + ", got " + devices);
    }
    if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
      throw new IllegalArgumentException("rate must be in (0, 1000000] frames/s, got " + ratePerSecond);
    }
    if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("duration must be in (0, " + MAX_DURATION + "], got " + duration);
    }
    if (maxInFlightPerDevice < 1) {
      throw new IllegalArgumentException("maxInFlightPerDevice must be >= 1");
    }
  }

  /** The settings as a report states them, by their command-line names (the JWT secret is left out). */
  public Map<String, String> described() {
    var described = new LinkedHashMap<String, String>();
    described.put("scenario", scenario);
    described.put("url", url.toString());
    described.put("devices", Integer.toString(devices));
    described.put("rate", Double.toString(ratePerSecond));
    described.put("duration", duration.toString());
    described.put("cassandra", cassandra.getHostString() + ":" + cassandra.getPort());
    described.put("local-datacenter", localDatacenter);
    described.put("keyspace", keyspace);
    described.put("max-in-flight", Integer.toString(maxInFlightPerDevice));
    described.put("connect-timeout", connectTimeout.toString());
    described.put("drain-timeout", drainTimeout.toString());
    described.put("settle-timeout", settleTimeout.toString());
    return described;
  }

  /** The steady scenario with default bounds. */
  public static ScenarioSettings steady(URI url, String jwtSecret, int devices, double ratePerSecond, Duration duration,
      InetSocketAddress cassandra, Path reportDirectory) {
    return new ScenarioSettings("steady", url, jwtSecret, devices, ratePerSecond, duration, cassandra, "datacenter1",
        "herald", reportDirectory, reportDirectory.resolve("outboxes"), 16, Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), true);
  }

  public ScenarioSettings withLocalDatacenter(String value) {
    return new ScenarioSettings(scenario, url, jwtSecret, devices, ratePerSecond, duration, cassandra, value, keyspace,
        reportDirectory, workDirectory, maxInFlightPerDevice, connectTimeout, drainTimeout, settleTimeout, printProgress);
  }

  public ScenarioSettings withKeyspace(String value) {
    return new ScenarioSettings(scenario, url, jwtSecret, devices, ratePerSecond, duration, cassandra, localDatacenter,
        value, reportDirectory, workDirectory, maxInFlightPerDevice, connectTimeout, drainTimeout, settleTimeout,
        printProgress);
  }

  public ScenarioSettings withMaxInFlightPerDevice(int value) {
    return new ScenarioSettings(scenario, url, jwtSecret, devices, ratePerSecond, duration, cassandra, localDatacenter,
        keyspace, reportDirectory, workDirectory, value, connectTimeout, drainTimeout, settleTimeout, printProgress);
  }

  public ScenarioSettings withWorkDirectory(Path value) {
    return new ScenarioSettings(scenario, url, jwtSecret, devices, ratePerSecond, duration, cassandra, localDatacenter,
        keyspace, reportDirectory, value, maxInFlightPerDevice, connectTimeout, drainTimeout, settleTimeout,
        printProgress);
  }
}
