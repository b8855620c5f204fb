package io.herald.load.sessions;

import io.herald.load.LocalTargets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The {@code sessions} scenario: {@code sessions} idle sessions over {@code processes} worker processes, opened at
 * {@code connectRate} per second, held with heartbeats for {@code hold}, then telemetry at {@code trafficRate} over
 * {@code sample} of them for {@code trafficDuration}.
 *
 * @param maxHandshakesPerProcess connections a worker has started and that are not yet welcomed or failed; a bound
 *     so that a slow server sees a bounded queue of handshakes (the kernel's accept backlog is finite)
 * @param connectTimeout bound on the handshake and the welcome of one session
 * @param nodePid the node's process on this machine, to read its memory (none: memory is not measured)
 */
public record SessionsSettings(
    URI url,
    String jwtSecret,
    int sessions,
    int processes,
    double connectRate,
    int maxHandshakesPerProcess,
    Duration hold,
    Duration heartbeatInterval,
    int sample,
    double trafficRate,
    Duration trafficDuration,
    Duration connectTimeout,
    OptionalLong nodePid,
    Path reportDirectory) {

  /** Bounds that keep a mistyped argument from opening a machine's worth of sockets or running for hours. */
  public static final int MAX_SESSIONS = 100_000;
  public static final int MAX_PROCESSES = 16;
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  public SessionsSettings {
    LocalTargets.requireLocal(url);
    Objects.requireNonNull(jwtSecret, "jwtSecret");
    Objects.requireNonNull(reportDirectory, "reportDirectory");
    Objects.requireNonNull(nodePid, "nodePid");
    if (sessions < 1 || sessions > MAX_SESSIONS) {
      throw new IllegalArgumentException("--sessions must be 1.." + MAX_SESSIONS + ", got " + sessions);
    }
    if (processes < 1 || processes > MAX_PROCESSES || processes > sessions) {
      throw new IllegalArgumentException("--processes must be 1.." + MAX_PROCESSES + " and at most --sessions");
    }
    if (!(connectRate > 0) || !(trafficRate > 0) || maxHandshakesPerProcess < 1) {
      throw new IllegalArgumentException("--connect-rate, --rate and --max-handshakes must be positive");
    }
    if (sample < 0 || sample > sessions) {
      throw new IllegalArgumentException("--sample must be 0..--sessions, got " + sample);
    }
    for (Duration duration : new Duration[] {hold, heartbeatInterval, trafficDuration, connectTimeout}) {
      if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException("durations must be in (0, " + MAX_DURATION + "], got " + duration);
      }
    }
  }

  /** The sessions worker {@code index} holds: an even share, the first ones one more. */
  int share(int index) {
    return sessions / processes + (index < sessions % processes ? 1 : 0);
  }
}
