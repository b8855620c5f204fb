package io.herald.load.sim;

import io.herald.load.HostilePlan;
import io.herald.load.Scenarios;
import io.herald.client.Backoff;
import io.herald.client.ClientEvents;
import io.herald.client.DeviceClient;
import io.herald.client.DeviceClientSettings;
import io.herald.client.OutboxFullException;
import io.herald.client.SendOutcome;
import io.herald.load.report.NoisyNeighbourReport;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.device.v1.Welcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One user, and a peer it controls, filling every budget a client can reach, round after round, until stopped: a
 * device's reported and desired state and telemetry keys ({@code state-max-bytes}), its outbox and a conversation's
 * recent messages (the peer chats, neither acknowledges a push), the parking of a conversation nobody creates, a frame
 * over 64 KiB, its device's frame rate, its REST read rate. Its clients are the reference client with one attempt per
 * frame (a refusal is counted, not resent) and no {@code push_ack}. Every answer is counted by kind; when stopped, a
 * new device of the user resumes from 0 and is told {@code pushes_missed} once the outbox dropped its oldest pushes.
 */
public final class HostileUser implements AutoCloseable {

  private static final int BIG_TEXT = 16_000;
  private static final Duration ROUND_BOUND = Duration.ofSeconds(60);
  private static final Duration SETUP_BOUND = Duration.ofSeconds(60);

  private final String user;
  private final String peer;
  private final String run;
  private final HostilePlan plan;
  private final URI url;
  private final String secret;
  private final Path workDirectory;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final URI shadow;
  private final URI conversation;
  private final Map<String, Long> answers = new ConcurrentHashMap<>();
  private final Set<String> rejectedIds = ConcurrentHashMap.newKeySet();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong rounds = new AtomicLong();
  private final List<DeviceClient> clients = new ArrayList<>();
  private DeviceClient sensor;
  private DeviceClient app;
  private DeviceClient flooder;
  private DeviceClient peerPhone;
  private volatile boolean stopping;
  private Thread filler;

  /**
   * @param shadowOf the REST shadow URI of a device id on this node
   * @param messagesOf the REST messages URI of a conversation id on this node
   */
  private HostileUser(String run, HostilePlan plan, URI url, String secret, Path workDirectory,
      ScheduledExecutorService scheduler, HttpClient http, Function<String, URI> shadowOf,
      Function<String, URI> messagesOf) {
    this.run = run;
    this.user = "hostile-" + run;
    this.peer = "hostile-peer-" + run;
    this.plan = plan;
    this.url = url;
    this.secret = secret;
    this.workDirectory = workDirectory;
    this.scheduler = scheduler;
    this.http = http;
    this.shadow = shadowOf.apply(device("sensor"));
    this.conversation = messagesOf.apply(flood());
  }

  /**
   * Connects the user's devices and its peer's, makes the sensor the user's and creates the conversation with the
   * peer, and waits (bounded) until both are applied; nothing is filled yet.
   */
  public static HostileUser connect(String run, HostilePlan plan, URI url, String secret, Path workDirectory,
      ScheduledExecutorService scheduler, HttpClient http, Function<String, URI> shadowOf,
      Function<String, URI> messagesOf) throws IOException {
    var hostile = new HostileUser(run, plan, url, secret, workDirectory, scheduler, http, shadowOf, messagesOf);
    hostile.sensor = hostile.client(hostile.user, "sensor", 16);
    hostile.app = hostile.client(hostile.user, "app", 64);
    hostile.flooder = hostile.client(hostile.user, "flooder", 64);
    hostile.peerPhone = hostile.client(hostile.peer, "phone", 32);
    hostile.send(hostile.sensor, ClientFrame.newBuilder().setMessageId(hostile.id("owner"))
        .setHeartbeat(Heartbeat.getDefaultInstance()));
    hostile.send(hostile.app, ClientFrame.newBuilder().setMessageId(hostile.id("create"))
        .setCreateConversation(CreateConversation.newBuilder().setConversationId(hostile.flood())
            .addMemberUserIds(hostile.peer)));
    long deadline = System.nanoTime() + SETUP_BOUND.toNanos();
    while (hostile.read(hostile.shadow) != 200 || hostile.read(hostile.conversation) != 200) {
      if (System.nanoTime() > deadline) {
        hostile.close();
        throw new Scenarios.NotSettledException("the hostile user's device and conversation were not applied within "
            + SETUP_BOUND.toSeconds() + " s");
      }
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
    hostile.answers.clear();
    return hostile;
  }

  /** Starts filling, round after round, on a thread of its own. */
  public void startFilling() {
    filler = new Thread(() -> {
      while (!stopping) {
        round(rounds.incrementAndGet());
      }
    }, "herald-load-hostile");
    filler.setDaemon(true);
    filler.start();
  }

  /**
   * Stops after the round under way, lets a new device of the user resume from 0 (a welcome with pushes_missed once
   * the outbox dropped pushes), and says what was sent and how it was answered.
   */
  public NoisyNeighbourReport.Hostile stop() throws IOException {
    stopping = true;
    if (filler != null) {
      try {
        filler.join(ROUND_BOUND.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    var tablet = client(user, "tablet", 1);
    Scenarios.waitUntil(() -> answers.containsKey("welcome pushes_missed"), Duration.ofSeconds(10));
    tablet.close();
    return new NoisyNeighbourReport.Hostile(rounds.get(), sent.get(), acked.get(), reads.get(), Map.copyOf(answers));
  }

  private void round(long round) {
    // The device's state: reported, then telemetry keys, then desired, each as large as one frame may be.
    send(sensor, ClientFrame.newBuilder().setMessageId(id("report-" + round))
        .setReportState(ReportState.newBuilder().putAllReported(properties("r" + round))));
    send(sensor, ClientFrame.newBuilder().setMessageId(id("keys-" + round))
        .setTelemetry(Telemetry.newBuilder().putAllReadings(readings("t" + round))));
    send(app, ClientFrame.newBuilder().setMessageId(id("desired-" + round))
        .setSetDesired(SetDesired.newBuilder().setDeviceId(device("sensor")).putAllDesired(properties("d" + round))));
    // A frame over 64 KiB.
    send(app, ClientFrame.newBuilder().setMessageId(id("large-" + round))
        .setChatSend(ChatSend.newBuilder().setConversationId(flood()).setText("x".repeat(70_000))));
    // Sends waiting for a conversation nobody creates.
    for (int k = 0; k < plan.parked(); k++) {
      send(app, ClientFrame.newBuilder().setMessageId(id("parked-" + round + "-" + k))
          .setChatSend(ChatSend.newBuilder().setConversationId("unborn-" + round + "-" + run)
              .setText(text("parked " + k + " "))));
    }
    // The peer's chats, whose pushes nobody acknowledges.
    for (int k = 0; k < plan.chats(); k++) {
      send(peerPhone, ClientFrame.newBuilder().setMessageId(id("chat-" + round + "-" + k))
          .setSentAtMs(System.currentTimeMillis())
          .setChatSend(ChatSend.newBuilder().setConversationId(flood()).setText(text("chat " + round + "/" + k + " "))));
    }
    // Frames beyond the device's rate.
    for (int k = 0; k < plan.burst(); k++) {
      send(flooder, ClientFrame.newBuilder().setMessageId(id("beat-" + round + "-" + k))
          .setHeartbeat(Heartbeat.getDefaultInstance()));
    }
    // Reads beyond the user's rate, all at once.
    var request = HttpRequest.newBuilder(shadow).header("Authorization", "Bearer " + token(user, "sensor"))
        .timeout(Duration.ofSeconds(30)).build();
    var answered = new ArrayList<CompletableFuture<?>>();
    for (int k = 0; k < plan.reads(); k++) {
      reads.incrementAndGet();
      answered.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle((response, failure) -> {
            count(failure != null ? "http failed" : response.statusCode() == 200 ? null : "http "
                + response.statusCode());
            return null;
          }));
    }
    // The round ends when every frame and read is answered (bounded): nothing is left waiting.
    Scenarios.waitUntil(() -> List.of(sensor, app, flooder, peerPhone).stream().allMatch(c -> c.unacknowledged() == 0)
        && answered.stream().allMatch(CompletableFuture::isDone), ROUND_BOUND);
  }

  private DeviceClient client(String owner, String name, int maxInFlight) throws IOException {
    var settings = new DeviceClientSettings(List.of(url), token(owner, name),
        workDirectory.resolve(owner).resolve(name), 10_000, maxInFlight, Duration.ofSeconds(10), 1, Backoff.defaults(),
        new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2.0, 0.3), 30, Duration.ofSeconds(10), false, 0);
    var client = DeviceClient.start(settings, new Answers(), scheduler, http);
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  private void send(DeviceClient client, ClientFrame.Builder frame) {
    try {
      client.send(frame.build());
      sent.incrementAndGet();
    } catch (OutboxFullException e) {
      count("client outbox full");
    }
  }

  private int read(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token(user, "sensor"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void count(String kind) {
    if (kind != null) {
      answers.merge(kind, 1L, Long::sum);
    }
  }

  /** Counts what comes back to any of the hostile clients; a push.rejected reaches every session, counted once. */
  private final class Answers implements ClientEvents {
    @Override
    public void onNack(Nack nack) {
      count("nack " + nack.getCode());
    }

    @Override
    public void onOutcome(SendOutcome outcome) {
      if (outcome instanceof SendOutcome.Acked) {
        acked.incrementAndGet();
      }
    }

    @Override
    public void onPush(Push push) {
      if (push.hasRejected() && rejectedIds.add(push.getRejected().getMessageId())) {
        count("rejected " + push.getRejected().getCode());
      }
    }

    @Override
    public void onConnected(Welcome welcome) {
      if (welcome.getPushesMissed()) {
        count("welcome pushes_missed");
      }
    }
  }

  private String flood() {
    return "flood-" + run;
  }

  private String id(String what) {
    return "hostile-" + what + "-" + run;
  }

  /** A Device entity is keyed by its device id alone: the run's devices have ids of their own. */
  private String device(String name) {
    return user + "-" + name;
  }

  private String token(String owner, String name) {
    return DeviceTokens.mint(secret, owner, owner + "-" + name, Duration.ofHours(2));
  }

  /** 15 properties of 4,000 characters (the largest value is 4,096): one frame nearly fills the state's 64 KiB. */
  private static Map<String, String> properties(String prefix) {
    var properties = new HashMap<String, String>();
    for (int k = 0; k < 15; k++) {
      properties.put(prefix + "-" + k, prefix + "x".repeat(4_000 - prefix.length()));
    }
    return properties;
  }

  /** 100 telemetry keys of 120 characters, about 470 bytes of state each with their history. */
  private static Map<String, Double> readings(String prefix) {
    var readings = new HashMap<String, Double>();
    for (int k = 0; k < 100; k++) {
      var key = prefix + "-" + k + "-";
      readings.put(key + "k".repeat(120 - key.length()), (double) k);
    }
    return readings;
  }

  private static String text(String prefix) {
    return prefix + "x".repeat(BIG_TEXT - prefix.length());
  }

  @Override
  public void close() {
    stopping = true;
    synchronized (clients) {
      clients.forEach(DeviceClient::close);
    }
  }
}
