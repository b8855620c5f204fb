package io.herald.load.sessions;

import io.herald.load.sim.DaemonThreads;
import io.herald.load.sim.DeviceTokens;
import io.herald.load.sim.LoadFrames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One process of the {@code sessions} scenario: holds its share of the sessions. A process can hold only as many
 * sockets as its open-files limit allows, so the scenario spreads the sessions over several of these.
 *
 * <p>Talks to {@link SessionsScenario} by lines. Out: {@code status k=v ...} every second, {@code connected} when
 * every session it started is welcomed or has failed, {@code traffic-done}, and before it exits the two latency
 * histograms ({@code histogram connect|traffic BASE64}) and {@code stopped}. In: {@code traffic SESSIONS RATE MS}
 * (telemetry at RATE frames/s round robin over its first SESSIONS open sessions, for MS milliseconds) and
 * {@code stop}.
 */
public final class SessionsWorker {

  // Acks still missing this long after the traffic ends are counted as unanswered.
  private static final Duration TRAFFIC_DRAIN = Duration.ofSeconds(10);
  // After the close frames went out, connections still open are dropped.
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final WorkerSettings settings;
  private final PrintStream out;
  private final SessionCounters counters = new SessionCounters();
  private final List<IdleSession> sessions = new ArrayList<>();

  private SessionsWorker(WorkerSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    var settings = WorkerSettings.parse(args);
    var worker = new SessionsWorker(settings, System.out);
    worker.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    System.exit(0);
  }

  private void run(BufferedReader commands) throws IOException {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("herald-sessions-timer"));
    ExecutorService httpThreads = Executors.newFixedThreadPool(2, DaemonThreads.named("herald-sessions-http"));
    HttpClient http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(settings.connectTimeout()).build();
    scheduler.scheduleAtFixedRate(this::printStatus, 1, 1, TimeUnit.SECONDS);
    try {
      connectAll(http, scheduler);
      // The counts as of now, so the scenario's connect figures do not miss the last second.
      printStatus();
      say("connected");
      for (String line = commands.readLine(); line != null; line = commands.readLine()) {
        String[] words = line.strip().split(" ");
        if (words[0].equals("traffic")) {
          offerTraffic(Integer.parseInt(words[1]), Double.parseDouble(words[2]), Duration.ofMillis(Long.parseLong(words[3])));
          printStatus();
          say("traffic-done");
        } else if (words[0].equals("stop")) {
          break;
        }
      }
    } finally {
      // The scenario going away (stdin closed) ends the worker the same way as a stop.
      closeAll();
      printStatus();
      say("histogram connect " + encode(counters.connectLatency()));
      say("histogram traffic " + encode(counters.trafficLatency()));
      say("stopped");
      scheduler.shutdownNow();
      httpThreads.shutdownNow();
    }
  }

  /** Starts connections at the configured rate, at most {@code maxHandshakes} unsettled at a time, and waits. */
  private void connectAll(HttpClient http, ScheduledExecutorService scheduler) {
    var handshakes = new Semaphore(settings.maxHandshakes());
    double intervalNanos = 1e9 / settings.connectRate();
    long start = System.nanoTime();
    for (int i = 0; i < settings.sessions(); i++) {
      long wait = start + (long) (i * intervalNanos) - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      handshakes.acquireUninterruptibly();
      String user = "sess-" + settings.run() + "-w" + settings.worker() + "-u" + i;
      String token = DeviceTokens.mint(settings.secret(), user, user + "-d", Duration.ofHours(2));
      var session = new IdleSession(token, counters, scheduler, settings.heartbeatInterval(), handshakes::release);
      sessions.add(session);
      session.connect(http, settings.url(), settings.connectTimeout());
    }
    // Every session settles within the connect timeout: then all permits are back.
    handshakes.acquireUninterruptibly(settings.maxHandshakes());
  }

  private void offerTraffic(int sampleSize, double rate, Duration duration) {
    List<IdleSession> sample = sessions.stream().filter(IdleSession::isOpen).limit(sampleSize).toList();
    if (!sample.isEmpty()) {
      long total = Math.round(rate * duration.toMillis() / 1000.0);
      double intervalNanos = 1e9 / rate;
      long start = System.nanoTime();
      for (long i = 0; i < total; i++) {
        long wait = start + (long) (i * intervalNanos) - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        sample.get((int) (i % sample.size())).send(LoadFrames.telemetry(i));
      }
    }
    long deadline = System.nanoTime() + TRAFFIC_DRAIN.toNanos();
    while (!counters.trafficPending.isEmpty() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private void closeAll() {
    sessions.forEach(IdleSession::close);
    LockSupport.parkNanos(CLOSE_GRACE.toNanos());
    sessions.forEach(IdleSession::abort);
  }

  private void printStatus() {
    var c = counters;
    say("status " + String.join(" ", List.of(
        "started=" + c.started.get(), "opened=" + c.opened.get(), "failed=" + c.failed.get(),
        "closed=" + c.closedByServer.get(), "heartbeats_sent=" + c.heartbeatsSent.get(),
        "heartbeats_acked=" + c.heartbeatsAcked.get(), "heartbeats_nacked=" + c.heartbeatsNacked.get(),
        "pushes=" + c.pushes.get(), "traffic_sent=" + c.trafficSent.get(), "traffic_acked=" + c.trafficAcked.get(),
        "traffic_nacked=" + c.trafficNacked.get())));
  }

  private synchronized void say(String line) {
    out.println(line);
    out.flush();
  }

  static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalArgumentException("not a histogram from a sessions worker", e);
    }
  }

  /** Parses a {@code status} line's counts. */
  static Map<String, Long> statusCounts(String line) {
    var counts = new java.util.LinkedHashMap<String, Long>();
    for (String pair : line.substring("status ".length()).split(" ")) {
      int eq = pair.indexOf('=');
      counts.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
    }
    return counts;
  }

  /** A worker's share of the scenario, from its command line (written by {@link SessionsScenario}). */
  record WorkerSettings(URI url, String secret, String run, int worker, int sessions, double connectRate,
      int maxHandshakes, Duration heartbeatInterval, Duration connectTimeout) {

    List<String> arguments() {
      return List.of(url.toString(), run, Integer.toString(worker), Integer.toString(sessions),
          Double.toString(connectRate), Integer.toString(maxHandshakes), Long.toString(heartbeatInterval.toMillis()),
          Long.toString(connectTimeout.toMillis()));
    }

    /** The secret comes in the environment ({@code HERALD_JWT_SECRET}), not on a command line others can read. */
    static WorkerSettings parse(String[] args) {
      String secret = System.getenv("HERALD_JWT_SECRET");
      if (args.length != 8 || secret == null) {
        throw new IllegalArgumentException("a sessions worker is started by the sessions scenario");
      }
      return new WorkerSettings(URI.create(args[0]), secret, args[1], Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Double.parseDouble(args[4]), Integer.parseInt(args[5]),
          Duration.ofMillis(Long.parseLong(args[6])), Duration.ofMillis(Long.parseLong(args[7])));
    }
  }
}
