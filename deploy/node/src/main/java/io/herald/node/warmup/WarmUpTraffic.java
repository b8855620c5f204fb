package io.herald.node.warmup;

import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.Telemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Utils;

/**
 * The warm-up traffic itself, run on one thread of its own: warm-up devices connect to the node's WebSocket endpoint
 * as any device does, then send telemetry at the configured rate, chat with each other, report state, read a shadow
 * over REST, and one device sends a burst past its rate limit (refused RETRY_LATER unless the machine is so slow that
 * its bucket refills meanwhile) and one frame without a message id (always refused INVALID), so refusals run too. It ends when every frame
 * has its answer and every chat message its push at the other member, or at the give-up bound.
 */
final class WarmUpTraffic {

  /** Ticks of the pacing loop. */
  private static final long TICK_MILLIS = 10;
  /** Frames a warm-up device leaves unanswered at most, below the gateway's per-connection window (64). */
  private static final int DEVICE_WINDOW = 32;
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

  private final WarmUpSettings settings;
  private final URI webSocket;
  private final URI rest;
  private final String secret;
  private final List<String> users;
  private final String deviceTag;
  private final int burstFrames;
  private final HttpClient http;
  private final WarmUpTally tally = new WarmUpTally("warm-up-" + UUID.randomUUID());
  private final List<WarmUpSession> devices = new ArrayList<>();
  private final List<WarmUpSession> chatters = new ArrayList<>();
  private final String[] lastChatSent;
  private WarmUpSession burster;
  private final long startNanos = System.nanoTime();
  private final long giveUpNanos;

  /**
   * @param deviceTag distinguishes this node's warm-up devices from other nodes' (they share the warm-up users)
   * @param burstFrames frames of the one burst: past the per-device burst allowance, so some are refused
   */
  WarmUpTraffic(WarmUpSettings settings, String host, int httpPort, String secret, int partitions, String deviceTag,
      int burstFrames, ExecutorService io) {
    this.settings = settings;
    this.webSocket = URI.create("ws://" + host + ":" + httpPort + "/v1/ws");
    this.rest = URI.create("http://" + host + ":" + httpPort + "/v1/devices/");
    this.secret = secret;
    this.users = usersCovering(partitions, settings.usersPerPartition());
    this.deviceTag = deviceTag;
    this.burstFrames = burstFrames;
    this.http = HttpClient.newBuilder().executor(io).connectTimeout(Duration.ofSeconds(5)).build();
    this.lastChatSent = new String[users.size()];
    this.giveUpNanos = startNanos + settings.giveUpAfter().toNanos();
  }

  /**
   * {@code perPartition} warm-up users for each partition of the ingress topic (the record key is the user id), so
   * every partition's consumer path, and the shards of the User entities that follow the partitions, take traffic.
   */
  static List<String> usersCovering(int partitions, int perPartition) {
    var users = new ArrayList<String>();
    var taken = new int[partitions];
    for (int k = 0; users.size() < partitions * perPartition; k++) {
      String user = "herald-warm-up-" + k;
      int partition = Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % partitions;
      if (taken[partition] < perPartition) {
        taken[partition]++;
        users.add(user);
      }
    }
    return List.copyOf(users);
  }

  WarmUpReport run() {
    try {
      connect();
      phaseEnded("sessions open");
      createConversations();
      phaseEnded("conversations");
      String problem = traffic();
      phaseEnded("traffic");
      drain();
      phaseEnded("answers and pushes in");
      boolean complete = problem == null && everythingAnswered();
      return tally.report(elapsedMillis(), complete,
          problem != null ? problem : complete ? null : "missing before the give-up bound: " + String.join(", ", missing()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return tally.report(elapsedMillis(), false, "interrupted");
    } catch (RuntimeException e) {
      return tally.report(elapsedMillis(), false, e.toString());
    } finally {
      devices.forEach(WarmUpSession::close);
      awaitUntil(() -> devices.stream().allMatch(WarmUpSession::isClosed), System.nanoTime() + 2_000_000_000L);
    }
  }

  /** Where the time went, for the log: each phase's end, in ms from the start. */
  private void phaseEnded(String phase) {
    tally.phaseEnded(phase + " " + elapsedMillis() + " ms");
  }

  WarmUpReport progress() {
    return tally.report(elapsedMillis(), false, null);
  }

  private void connect() throws InterruptedException {
    for (String user : users) {
      // A device belongs to one user: its id names the user, and the node (nodes share the warm-up users).
      var device = open(user, user + "-" + deviceTag);
      devices.add(device);
      chatters.add(device);
    }
    burster = open(users.get(0), users.get(0) + "-" + deviceTag + "-burst");
    devices.add(burster);
    for (var device : devices) {
      device.send(frame().setHello(Hello.newBuilder().setClientVersion("herald-warm-up")).build());
    }
    for (var device : devices) {
      try {
        device.welcomed().toCompletableFuture().get(remainingNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("warm-up device " + device.deviceId() + " got no welcome: " + e, e);
      }
    }
  }

  private WarmUpSession open(String user, String device) throws InterruptedException {
    var session = new WarmUpSession(user, device, tally);
    String token = Tokens.mint(secret, user, device, TOKEN_LIFETIME);
    while (true) {
      try {
        session.opened(http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(5)).buildAsync(webSocket, session).get(remainingNanos(), TimeUnit.NANOSECONDS));
        return session;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (remainingNanos() <= 0) {
          throw new IllegalStateException("could not open a warm-up session: " + e, e);
        }
        Thread.sleep(500); // the endpoint is bound before this runs; a refused connect is worth one more try
      }
    }
  }

  /** Each warm-up user owns a conversation with the next one; on a later start it exists already (a refusal then). */
  private void createConversations() throws InterruptedException {
    for (int k = 0; k < users.size(); k++) {
      chatters.get(k).send(frame().setCreateConversation(CreateConversation.newBuilder()
          .setConversationId(conversation(k)).addMemberUserIds(users.get(k))
          .addMemberUserIds(users.get((k + 1) % users.size()))).build());
    }
    awaitUntil(() -> devices.stream().allMatch(d -> d.unansweredCount() == 0), giveUpNanos);
  }

  /** Paces the traffic for the configured duration; answers the first thing that stopped it, or null. */
  private String traffic() throws InterruptedException {
    long durationNanos = settings.duration().toNanos();
    long telemetrySent = 0;
    long chatRounds = 0;
    long stateRounds = 0;
    boolean burstSent = false;
    int next = 0;
    long begin = System.nanoTime();
    while (true) {
      long elapsed = System.nanoTime() - begin;
      if (elapsed >= durationNanos) {
        return null;
      }
      if (System.nanoTime() > giveUpNanos) {
        return "the give-up bound passed while the traffic still ran";
      }
      if (devices.stream().anyMatch(WarmUpSession::isClosed)) {
        return "a warm-up session was closed by the node";
      }
      long due = elapsed * settings.framesPerSecond() / 1_000_000_000L - telemetrySent;
      for (int tried = 0; due > 0 && tried < devices.size(); tried++) {
        var device = devices.get(next++ % devices.size());
        if (device != burster && device.unansweredCount() < DEVICE_WINDOW) {
          device.send(frame().setTelemetry(Telemetry.newBuilder().putReadings("warm-up", telemetrySent)).build());
          telemetrySent++;
          due--;
          tried = 0;
        }
      }
      if (elapsed / 1_000_000_000L >= chatRounds) {
        chatRounds++;
        for (int k = 0; k < chatters.size(); k++) {
          var send = frame().setChatSend(ChatSend.newBuilder().setConversationId(conversation(k)).setText("warm-up"))
              .build();
          lastChatSent[k] = send.getMessageId();
          chatters.get(k).send(send);
        }
      }
      if (elapsed / 1_000_000_000L >= stateRounds) {
        stateRounds++;
        for (var device : devices) {
          device.send(frame().setReportState(ReportState.newBuilder().putReported("warm-up", "" + stateRounds)).build());
        }
      }
      if (!burstSent && elapsed >= durationNanos / 2) {
        burstSent = true;
        for (int i = 0; i < burstFrames; i++) {
          burster.send(frame().setTelemetry(Telemetry.newBuilder().putReadings("warm-up-burst", i)).build());
        }
        // The refusal path whatever the timing: a frame without a message id is always refused (INVALID).
        burster.send(ClientFrame.newBuilder().setTelemetry(Telemetry.getDefaultInstance()).build());
        readShadow(burster);
      }
      Thread.sleep(TICK_MILLIS);
    }
  }

  /** The REST read path: one shadow read, whatever its answer. */
  private void readShadow(WarmUpSession device) {
    var request = HttpRequest.newBuilder(rest.resolve(device.deviceId() + "/shadow"))
        .header("Authorization", "Bearer " + Tokens.mint(secret, device.userId(), device.deviceId(), TOKEN_LIFETIME))
        .timeout(Duration.ofSeconds(5)).build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
  }

  private void drain() throws InterruptedException {
    awaitUntil(this::everythingAnswered, giveUpNanos);
  }

  private boolean everythingAnswered() {
    return missing().isEmpty();
  }

  /** Conversation k's last chat message, sent and not refused, has not reached the other member yet. */
  private boolean chatPushMissing(int k, WarmUpSession peer) {
    return lastChatSent[k] != null && !chatters.get(k).refused(lastChatSent[k])
        && !peer.sawChatMessage(conversation(k), lastChatSent[k]);
  }

  /** What the warm-up still waits for: answers to frames, and chat pushes at the other member. */
  private List<String> missing() {
    var missing = new ArrayList<String>();
    devices.stream().filter(d -> d.unansweredCount() > 0)
        .forEach(d -> missing.add(d.unansweredCount() + " answers to " + d.deviceId() + " of " + d.userId()));
    for (int k = 0; k < chatters.size(); k++) {
      var peer = chatters.get((k + 1) % chatters.size());
      if (chatPushMissing(k, peer)) {
        missing.add("the push of chat message " + lastChatSent[k] + " in " + conversation(k) + " at " + peer.userId());
      }
    }
    return missing;
  }

  private ClientFrame.Builder frame() {
    return ClientFrame.newBuilder().setMessageId(tally.nextMessageId()).setSentAtMs(System.currentTimeMillis());
  }

  private String conversation(int k) {
    return users.get(k);
  }

  private long remainingNanos() {
    return giveUpNanos - System.nanoTime();
  }

  private long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static void awaitUntil(BooleanSupplier condition, long deadlineNanos) {
    try {
      while (!condition.getAsBoolean() && System.nanoTime() < deadlineNanos) {
        Thread.sleep(TICK_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
