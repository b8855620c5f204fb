package io.herald.load.sessions;

import io.herald.load.OptionValues;
import io.herald.load.node.MachineLoad;
import io.herald.load.report.LatencyMs;
import io.herald.load.report.SessionsReport;
import io.herald.load.report.SessionsSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The {@code sessions} scenario: many idle WebSocket sessions on one node. Worker processes ({@link SessionsWorker})
 * open the sessions at the connect rate, each session says {@code hello} and then sends a {@code heartbeat} every
 * interval; they are held for the hold time, then a sample of them sends telemetry, and every session is closed.
 * Counted: sessions opened, failed to open, closed by the server while held; the connect rate and connect→welcome
 * latency; heartbeats and traffic acked; with {@code --node-pid}, the node's heap after a full GC and its resident
 * size before the sessions and while they are held, per session, and its CPU per connect and while held. Writes {@code summary.json} and {@code report.html}.
 */
public final class SessionsScenario {

  public static final String NAME = "sessions";

  static final String USAGE = String.join("\n",
      "usage: load --scenario sessions --report DIR [options]",
      "  --url URL            Herald WebSocket endpoint, this machine only (default ws://127.0.0.1:8080/v1/ws)",
      "  --secret S           JWT secret of Herald (default: environment HERALD_JWT_SECRET)",
      "  --sessions N         idle sessions to open and hold (default 1000)",
      "  --processes P        worker processes the sessions are spread over; each holds at most its open-files",
      "                       limit minus 500 (default 2)",
      "  --connect-rate R     new connections per second over all workers (default 1000)",
      "  --max-handshakes H   per worker, connections started and not yet welcomed or failed (default 256)",
      "  --hold D             how long the sessions are held once all are open, e.g. 60s, 2m (default 60s)",
      "  --heartbeat D        each session's heartbeat interval (default 30s)",
      "  --sample N           sessions that send telemetry after the hold (default 100)",
      "  --rate R             telemetry frames per second over the sample (default 100)",
      "  --duration D         how long the sample sends (default 10s)",
      "  --connect-timeout D  bound on one session's handshake and welcome (default 10s)",
      "  --node-pid PID       the node's process: its heap after a full GC and its RSS are read (jcmd) before the",
      "                       sessions connect and at the end of the hold, its CPU time during the connect phase and",
      "                       the second half of the hold (/proc/PID/stat) (default: not measured)");

  private static final Set<String> OPTIONS = Set.of("--scenario", "--report", "--url", "--secret", "--sessions",
      "--processes", "--connect-rate", "--max-handshakes", "--hold", "--heartbeat", "--sample", "--rate", "--duration",
      "--connect-timeout", "--node-pid");
  // Sockets a worker may not use: its JVM's own files (jars, pipes, the selector).
  private static final int FILES_MARGIN = 500;
  // Bound on waiting for a worker's answer to a command beyond the time the command itself takes.
  private static final Duration WORKER_MARGIN = Duration.ofSeconds(60);

  private SessionsScenario() {}

  /** Whether the arguments ask for this scenario (LoadMain hands such a command line over whole). */
  public static boolean requested(List<String> args) {
    int at = args.indexOf("--scenario");
    return at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(NAME);
  }

  /** Runs the command line; returns the exit status: 0 every session held, 1 not, 2 the run could not be made. */
  public static int main(List<String> args, Map<String, String> environment, PrintStream out) {
    if (OptionValues.helpRequested(args)) {
      out.println(USAGE);
      return 0;
    }
    SessionsSettings settings;
    try {
      settings = parse(args, environment);
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println(USAGE);
      return 2;
    }
    try {
      SessionsSummary summary = run(settings, out);
      return summary.held() ? 0 : 1;
    } catch (IOException | WorkerException | IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      return 2;
    }
  }

  static SessionsSettings parse(List<String> args, Map<String, String> environment) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      if (!OPTIONS.contains(args.get(i))) {
        throw new IllegalArgumentException("unknown option " + args.get(i));
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(args.get(i) + " needs a value");
      }
      values.put(args.get(i), args.get(i + 1));
    }
    String secret = values.getOrDefault("--secret", environment.get("HERALD_JWT_SECRET"));
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("--secret (or HERALD_JWT_SECRET) is required");
    }
    if (!values.containsKey("--report")) {
      throw new IllegalArgumentException("--report is required");
    }
    Function<String, Duration> duration = name -> OptionValues.duration(values.get(name), name);
    return new SessionsSettings(
        URI.create(values.getOrDefault("--url", "ws://127.0.0.1:8080/v1/ws")),
        secret,
        OptionValues.integer(values.getOrDefault("--sessions", "1000"), "--sessions"),
        OptionValues.integer(values.getOrDefault("--processes", "2"), "--processes"),
        OptionValues.decimal(values.getOrDefault("--connect-rate", "1000"), "--connect-rate"),
        OptionValues.integer(values.getOrDefault("--max-handshakes", "256"), "--max-handshakes"),
        values.containsKey("--hold") ? duration.apply("--hold") : Duration.ofSeconds(60),
        values.containsKey("--heartbeat") ? duration.apply("--heartbeat") : Duration.ofSeconds(30),
        OptionValues.integer(values.getOrDefault("--sample", "100"), "--sample"),
        OptionValues.decimal(values.getOrDefault("--rate", "100"), "--rate"),
        values.containsKey("--duration") ? duration.apply("--duration") : Duration.ofSeconds(10),
        values.containsKey("--connect-timeout") ? duration.apply("--connect-timeout") : Duration.ofSeconds(10),
        values.containsKey("--node-pid")
            ? OptionalLong.of(OptionValues.integer(values.get("--node-pid"), "--node-pid"))
            : OptionalLong.empty(),
        Path.of(values.get("--report")));
  }

  /** Runs the scenario and writes its report. */
  public static SessionsSummary run(SessionsSettings settings, PrintStream out) throws IOException {
    long filesLimit = openFilesLimit();
    for (int i = 0; i < settings.processes(); i++) {
      if (settings.share(i) > filesLimit - FILES_MARGIN) {
        throw new IllegalArgumentException(settings.share(i) + " sessions in one worker, but a process may open "
            + filesLimit + " files here: use more --processes");
      }
    }
    String loadBefore = MachineLoad.average();
    Optional<NodeProcess> node = settings.nodePid().stream().mapToObj(NodeProcess::new).findFirst();
    Optional<NodeProcess.Reading> memoryBefore = node.isPresent() ? Optional.of(node.get().read()) : Optional.empty();
    double cpuBefore = node.isPresent() ? node.get().cpuSeconds() : 0;
    String run = UUID.randomUUID().toString().substring(0, 8);
    var workers = new ArrayList<Worker>();
    var timeline = new ArrayList<SessionsSummary.Second>();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      var thread = new Thread(runnable, "herald-sessions-progress");
      thread.setDaemon(true);
      return thread;
    });
    long started = System.nanoTime();
    try {
      for (int i = 0; i < settings.processes(); i++) {
        workers.add(Worker.start(settings, run, i));
      }
      sampler.scheduleAtFixedRate(() -> {
        var second = new SessionsSummary.Second(
            (int) Math.round((System.nanoTime() - started) / 1e9), sum(workers, "opened"), sum(workers, "failed"),
            sum(workers, "closed"), sum(workers, "opened") - sum(workers, "closed"), sum(workers, "heartbeats_acked"),
            sum(workers, "traffic_acked"));
        synchronized (timeline) {
          timeline.add(second);
        }
        out.printf("[%4ds] open %d | opened %d failed %d closed by server %d | heartbeats acked %d | traffic acked %d%n",
            second.second(), second.open(), second.opened(), second.failed(), second.closed(),
            second.heartbeatsAcked(), second.trafficAcked());
      }, 1, 1, TimeUnit.SECONDS);

      // A worker ends its connect phase when every session it started is welcomed or has failed: at the connect rate,
      // or, when the node is slower, one connect timeout per batch of handshakes at worst.
      long batches = (settings.share(0) + settings.maxHandshakesPerProcess() - 1) / settings.maxHandshakesPerProcess();
      Duration connectBound = max(Duration.ofMillis((long) (settings.sessions() / settings.connectRate() * 1000)),
              settings.connectTimeout().multipliedBy(batches)).plus(settings.connectTimeout()).plus(WORKER_MARGIN);
      for (Worker worker : workers) {
        worker.await("connected", connectBound);
      }
      long connectNanos = System.nanoTime() - started;
      double cpuConnected = node.isPresent() ? node.get().cpuSeconds() : 0;
      long openedAtConnect = sum(workers, "opened");
      out.println("connect phase: " + openedAtConnect + " of " + settings.sessions() + " opened in "
          + String.format("%.1f", connectNanos / 1e9) + " s; holding for " + settings.hold().toSeconds() + " s");

      long holdStarted = System.nanoTime();
      // The node's CPU is measured over the second half of the hold: in the first, the sessions that connected last
      // still send their first heartbeat, which brings the device online (entity recoveries, journal writes, pushes).
      sleep(settings.hold().dividedBy(2));
      double cpuHalfHeld = node.isPresent() ? node.get().cpuSeconds() : 0;
      long halfHeld = System.nanoTime();
      sleep(settings.hold().minus(settings.hold().dividedBy(2)));
      // CPU before memory: the full GC of the memory reading is the reading's own cost, not the sessions'.
      double holdCpu = node.isPresent() ? node.get().cpuSeconds() - cpuHalfHeld : 0;
      double steadySeconds = (System.nanoTime() - halfHeld) / 1e9;
      double heldSeconds = (System.nanoTime() - holdStarted) / 1e9;
      long closedBeforeMemory = sum(workers, "closed");
      Optional<NodeProcess.Reading> memoryHeld = node.isPresent() ? Optional.of(node.get().read()) : Optional.empty();
      long openWhileMeasured = sum(workers, "opened") - closedBeforeMemory;
      long closedWhileHeld = sum(workers, "closed");

      for (int i = 0; i < workers.size(); i++) {
        int sample = settings.sample() / workers.size() + (i < settings.sample() % workers.size() ? 1 : 0);
        workers.get(i).command("traffic " + sample + " " + settings.trafficRate() / workers.size() + " "
            + settings.trafficDuration().toMillis());
      }
      for (Worker worker : workers) {
        worker.await("traffic-done", settings.trafficDuration().plus(WORKER_MARGIN));
      }
      for (Worker worker : workers) {
        worker.command("stop");
      }
      for (Worker worker : workers) {
        worker.await("stopped", WORKER_MARGIN);
      }
      sampler.shutdownNow();

      var connectLatency = new Histogram(3);
      var trafficLatency = new Histogram(3);
      for (Worker worker : workers) {
        connectLatency.add(worker.histograms.get("connect"));
        trafficLatency.add(worker.histograms.get("traffic"));
      }
      long trafficSent = sum(workers, "traffic_sent");
      long trafficAcked = sum(workers, "traffic_acked");
      List<SessionsSummary.Second> seconds;
      synchronized (timeline) {
        seconds = List.copyOf(timeline);
      }
      var summary = new SessionsSummary(
          settings.sessions(), settings.processes(), settings.connectRate(), sum(workers, "opened"),
          sum(workers, "failed"), closedWhileHeld, sum(workers, "closed") - closedWhileHeld,
          connectNanos / 1e9, openedAtConnect / Math.max(1e-3, connectNanos / 1e9), LatencyMs.ofMicros(connectLatency),
          heldSeconds, settings.heartbeatInterval().toMillis() / 1000.0, sum(workers, "heartbeats_sent"),
          sum(workers, "heartbeats_acked"), sum(workers, "heartbeats_nacked"), sum(workers, "pushes"),
          settings.sample(), settings.trafficRate(), settings.trafficDuration().toMillis() / 1000.0, trafficSent,
          trafficAcked, sum(workers, "traffic_nacked"), LatencyMs.ofMicros(trafficLatency),
          memoryBefore.flatMap(before -> memoryHeld.map(held -> new SessionsSummary.Node(before.heapUsedAfterGcBytes(),
              held.heapUsedAfterGcBytes(), before.residentBytes(), held.residentBytes(), openWhileMeasured,
              cpuConnected - cpuBefore, holdCpu, steadySeconds))),
          loadBefore, MachineLoad.average(), seconds);
      SessionsReport.write(settings.reportDirectory(), summary);
      out.println(summary.oneLine() + " | report in " + settings.reportDirectory().toAbsolutePath());
      return summary;
    } finally {
      sampler.shutdownNow();
      workers.forEach(Worker::destroy);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static long sum(List<Worker> workers, String count) {
    return workers.stream().mapToLong(worker -> worker.count(count)).sum();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerException("interrupted");
    }
  }

  private static long openFilesLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        return Long.parseLong(line.substring("Max open files".length()).strip().split("\\s+")[0]);
      }
    }
    throw new IOException("no 'Max open files' in /proc/self/limits");
  }

  /** A worker process could not be started, or did not answer in time. */
  static final class WorkerException extends RuntimeException {
    WorkerException(String message) {
      super(message);
    }
  }

  /** One worker process and what it last reported. */
  private static final class Worker {
    final int index;
    final Process process;
    final PrintWriter commands;
    final Map<String, Long> counts = new ConcurrentHashMap<>();
    final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
    // The phase lines the worker has printed (connected, traffic-done, stopped); guarded by itself.
    private final Set<String> reported = new HashSet<>();
    private boolean ended;

    private Worker(int index, Process process) {
      this.index = index;
      this.process = process;
      this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    static Worker start(SessionsSettings settings, String run, int index) throws IOException {
      int share = settings.share(index);
      var workerSettings = new SessionsWorker.WorkerSettings(settings.url(), settings.jwtSecret(), run, index, share,
          settings.connectRate() * share / settings.sessions(), settings.maxHandshakesPerProcess(),
          settings.heartbeatInterval(), settings.connectTimeout());
      String java = ProcessHandle.current().info().command().orElse("java");
      var command = new ArrayList<>(List.of(java,
          // The JDK's WebSocket client holds some tens of KiB per open session.
          "-Xmx" + (512 + share / 10) + "m",
          // With fewer than 3 CPUs the common pool has parallelism 1 and CompletableFuture runs the JDK WebSocket
          // client's own *Async stages (no executor given) on a new thread each: about one thread per connect.
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
          "-cp", System.getProperty("java.class.path"),
          SessionsWorker.class.getName()));
      command.addAll(workerSettings.arguments());
      var builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("HERALD_JWT_SECRET", settings.jwtSecret());
      var worker = new Worker(index, builder.start());
      var reader = new Thread(worker::readLines, "herald-sessions-worker-" + index);
      reader.setDaemon(true);
      reader.start();
      return worker;
    }

    private void readLines() {
      try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("status ")) {
            counts.putAll(SessionsWorker.statusCounts(line));
          } else if (line.startsWith("histogram ")) {
            String[] words = line.split(" ");
            histograms.put(words[1], SessionsWorker.decode(words[2]));
          } else {
            synchronized (reported) {
              reported.add(line);
              reported.notifyAll();
            }
          }
        }
      } catch (IOException e) {
        // The worker is gone; await() reports it.
      }
      synchronized (reported) {
        ended = true;
        reported.notifyAll();
      }
    }

    long count(String name) {
      return counts.getOrDefault(name, 0L);
    }

    void command(String line) {
      commands.println(line);
    }

    /** Waits until the worker printed {@code line}; fails when it exits first or does not print it within bound. */
    void await(String line, Duration bound) {
      long deadline = System.nanoTime() + bound.toNanos();
      synchronized (reported) {
        while (!reported.contains(line)) {
          long left = deadline - System.nanoTime();
          if (ended || left <= 0) {
            throw new WorkerException("sessions worker " + index + " did not report '" + line + "' within "
                + bound.toSeconds() + " s" + (ended ? " (it ended; its errors are above)" : ""));
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(reported, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException("interrupted");
          }
        }
      }
    }

    void destroy() {
      commands.close();
      process.destroy();
    }
  }
}
