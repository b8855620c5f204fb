package io.herald.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.client.ClientEvents;
import io.herald.client.DeviceClient;
import io.herald.client.DeviceClientSettings;
import io.herald.client.OutboxFullException;
import io.herald.client.SendOutcome;
import io.herald.load.node.NodeManagement;
import io.herald.load.report.RecoveryReport;
import io.herald.load.report.ReportWriter;
import io.herald.load.sim.DeviceTokens;
import io.herald.load.sim.LoadFrames;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Recovery of a long-lived entity: one device sends {@code events} telemetry frames over its WebSocket (each one
 * event of its Device entity), the node applies them all, the device goes away and the node passivates the entity on
 * its idle timeout ({@code pekko.cluster.sharding.passivation...idle-entity.timeout}: nothing test-only), and then
 * one REST read of the device's shadow needs the entity back. The time to that first answer is the entity's recovery
 * (a snapshot each {@code herald.persistence.retention.snapshot-every-events} and the events after it) plus one ask.
 *
 * <p>Writing is a closed loop: at most {@code --in-flight} frames unanswered, so it goes as fast as the node acks
 * one device. The node's per-device token bucket ({@code herald.gateway.limits.device-frames-per-second}, 100) would
 * make 100,000 frames take 17 minutes: run the node with it raised for this scenario. Passivation is seen on the
 * management port: the scenario waits until the node has no Device entity alive (so the node must not serve other
 * devices meanwhile).
 */
final class RecoveryScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Without any answer for this long the node is not taking the device's frames: the run cannot be made. */
  private static final Duration NO_ANSWER_BOUND = Duration.ofSeconds(60);
  private static final double TARGET_MS = 1000;

  private RecoveryScenario() {}

  static void run(ScenarioPlan plan, PrintStream progress) throws IOException {
    ScenarioSettings settings = plan.settings();
    int events = plan.recovery().events();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String user = "load-" + run + "-u0";
    String device = "load-" + run + "-d0";
    String token = DeviceTokens.mint(settings.jwtSecret(), user, device, Duration.ofHours(2));
    var scheduler = Executors.newScheduledThreadPool(1);
    var httpThreads = Executors.newFixedThreadPool(2);
    try {
      var http = HttpClient.newBuilder().executor(httpThreads).build();
      var node = new NodeManagement(plan.node().management(), http);
      long appliedBefore = node.appliedRecords();

      var acked = new AtomicLong();
      var notAcked = new AtomicLong();
      long started = System.nanoTime();
      write(settings, device, token, events, acked, notAcked, scheduler, http, progress);
      double writeS = (System.nanoTime() - started) / 1e9;
      say(settings, progress, "%d frames: %d acked, %d not, in %.1f s; waiting for the node to apply them", events,
          acked.get(), notAcked.get(), writeS);

      waitForApplied(node, appliedBefore + acked.get(), settings.settleTimeout());
      long applied = node.appliedRecords() - appliedBefore;
      long appliedAt = System.nanoTime();
      say(settings, progress, "all %d applied (%d Device entities alive); waiting up to %d s for passivation", applied,
          node.entities("Device"), plan.recovery().passivationWait().toSeconds());
      if (!Scenarios.waitUntil(() -> node.entities("Device") == 0, plan.recovery().passivationWait())) {
        throw new Scenarios.NotSettledException("the node still had " + node.entities("Device") + " Device entities "
            + plan.recovery().passivationWait().toSeconds() + " s after the last event: is its idle timeout longer, "
            + "or does it serve other devices?");
      }
      double passivationWaitS = (System.nanoTime() - appliedAt) / 1e9;

      URI shadow = shadowUri(settings.url(), device);
      // The load generator's own first request (connection, class loading) must not count: an unauthenticated read
      // is refused by the gateway before any entity is asked.
      read(http, shadow, null);
      var first = read(http, shadow, token);
      var warm = read(http, shadow, token);
      var report = new RecoveryReport(device, events, acked.get(), round(writeS), applied, round(passivationWaitS),
          first.ms(), first.status(), first.stale(), warm.ms(), TARGET_MS);
      ReportWriter.write(settings.reportDirectory(), report);
      say(settings, progress, "first answer after passivation: %.1f ms (HTTP %d%s), then %.1f ms alive | report in %s",
          first.ms(), first.status(), first.stale() ? ", stale" : "", warm.ms(),
          settings.reportDirectory().toAbsolutePath());
    } finally {
      scheduler.shutdownNow();
      httpThreads.shutdownNow();
    }
  }

  /** Sends the frames with at most {@code --in-flight} unanswered; returns when every frame has its outcome. */
  private static void write(ScenarioSettings settings, String device, String token, int events, AtomicLong acked,
      AtomicLong notAcked, ScheduledExecutorService scheduler, HttpClient http, PrintStream progress)
      throws IOException {
    int window = settings.maxInFlightPerDevice();
    var unanswered = new Semaphore(window);
    var clientSettings = DeviceClientSettings.defaults(settings.url(), token,
            settings.workDirectory().resolve(device))
        .withMaxInFlight(window).withOutboxCapacity(window);
    try (var client = DeviceClient.start(clientSettings, ClientEvents.NONE, scheduler, http)) {
      long lastPrint = System.nanoTime();
      for (int i = 1; i <= events; i++) {
        acquire(unanswered, 1);
        try {
          client.send(LoadFrames.telemetry(i)).thenAccept(outcome -> {
            // Runs on the client's thread, which completes the stage: no executor needed.
            (outcome instanceof SendOutcome.Acked ? acked : notAcked).incrementAndGet();
            unanswered.release();
          });
        } catch (OutboxFullException e) {
          // The client takes a frame out of its outbox before it completes the frame's outcome, so a released permit
          // always has its slot free.
          throw new IllegalStateException("the outbox holds as many frames as may be unanswered: cannot be full", e);
        }
        if (settings.printProgress() && System.nanoTime() - lastPrint > 1_000_000_000L) {
          lastPrint = System.nanoTime();
          progress.printf(Locale.ROOT, "[recovery] sent %d of %d, acked %d%n", i, events, acked.get());
        }
      }
      acquire(unanswered, window);
    }
  }

  /**
   * Waits until the node's applied count reaches {@code target}. Applying one device's events is sequential and lags
   * acking by minutes at 100,000 events, so the bound is on a stall: {@code stallBound} without any progress.
   */
  private static void waitForApplied(NodeManagement node, long target, Duration stallBound) {
    long applied = node.appliedRecords();
    while (applied < target) {
      long before = applied;
      boolean advanced = Scenarios.waitUntil(() -> node.appliedRecords() > before, stallBound);
      applied = node.appliedRecords();
      if (!advanced) {
        throw new Scenarios.NotSettledException("the node applied nothing for " + stallBound.toSeconds() + " s, "
            + (target - applied) + " acked frames short");
      }
    }
  }

  private static void acquire(Semaphore unanswered, int permits) {
    try {
      if (!unanswered.tryAcquire(permits, NO_ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        throw new Scenarios.NotSettledException("no answer from the node for " + NO_ANSWER_BOUND.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Scenarios.NotSettledException("interrupted while writing");
    }
  }

  /** One REST read: its wall time (request out to body in), status, and whether the gateway served a kept answer. */
  record Answer(double ms, int status, boolean stale) {}

  /** @param token the device's token; {@code null}: none (the gateway answers 401 without asking an entity) */
  private static Answer read(HttpClient http, URI shadow, String token) throws IOException {
    var builder = HttpRequest.newBuilder(shadow).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    var request = builder.build();
    try {
      long sent = System.nanoTime();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      double ms = round((System.nanoTime() - sent) / 1e6);
      boolean stale = response.statusCode() == 200 && JSON.readTree(response.body()).path("stale").asBoolean();
      return new Answer(ms, response.statusCode(), stale);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + shadow, e);
    }
  }

  /** {@code GET /v1/devices/{id}/shadow} on the WebSocket endpoint's host and port. */
  static URI shadowUri(URI webSocket, String deviceId) {
    return restUri(webSocket, "/v1/devices/" + deviceId + "/shadow");
  }

  /** A REST path on the node whose WebSocket endpoint is {@code webSocket} (same host and port). */
  static URI restUri(URI webSocket, String path) {
    String scheme = "wss".equals(webSocket.getScheme()) ? "https" : "http";
    return URI.create(scheme + "://" + webSocket.getHost() + ":" + webSocket.getPort() + path);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static void say(ScenarioSettings settings, PrintStream progress, String format, Object... args) {
    if (settings.printProgress()) {
      progress.println("[recovery] " + String.format(Locale.ROOT, format, args));
    }
  }
}
