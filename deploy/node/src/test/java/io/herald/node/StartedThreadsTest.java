package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.infra.nodes.NodeProcesses;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose JVM sees 2 CPUs starts no thread per frame. There {@code ForkJoinPool.commonPool()} has parallelism 1,
 * so the JDK runs every CompletionStage continuation that has no executor of its own (and, through Scala's future
 * conversion, every continuation of a stage Pekko returns) on a new thread: issue 13 measured 14,511 threads started
 * in 30 s and a tenth of the throughput. Frames of every hot path (telemetry; set_desired, which asks the device's
 * owner first; chat, which fans out pushes to a member's live session) flow through a node process started with
 * {@code -XX:ActiveProcessorCount=2}, and the JVM's started-thread count, read from the node's /metrics before and
 * after, must stay flat.
 */
@ExtendWith(InfraExtension.class)
class StartedThreadsTest {

  private static final int DEVICES = 8;
  private static final int TELEMETRY_PER_DEVICE = 175;
  private static final int DESIRED_PER_DEVICE = 25;
  private static final int CHATS_PER_SENDER = 200;
  private static final int SENDERS = 2;
  /** 2,000 frames; before the fix each started at least one thread. */
  private static final int FRAMES = DEVICES * (TELEMETRY_PER_DEVICE + DESIRED_PER_DEVICE) + SENDERS * CHATS_PER_SENDER;
  /**
   * Room for threads a node starts by itself while it runs (a pool growing to its size, a driver's reconnect), far
   * below one per frame.
   */
  private static final int MAX_NEW_THREADS = 50;

  private static final Pattern STARTED = Pattern.compile("(?m)^jvm_threads_started_threads_total(?:\\{[^}]*})? (\\S+)$");
  private static final Pattern APPLIED = Pattern.compile("(?m)^herald_ingest_records_total\\{outcome=\"applied\"} (\\S+)$");
  private static final Pattern CPUS = Pattern.compile("(?m)^system_cpu_count(?:\\{[^}]*})? (\\S+)$");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void framesThroughANodeOnTwoCpusStartNoThreadPerTask(Kafka kafka, Cassandra cassandra, @TempDir Path logs)
      throws Exception {
    TestNodes.withSchema(kafka, cassandra);
    var classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
        + Files.readString(Path.of("target", "herald.classpath")).trim();
    var run = UUID.randomUUID().toString().substring(0, 8);
    ExecutorService senders = Executors.newFixedThreadPool(DEVICES + SENDERS);
    try (var node = NodeProcesses.start(1, classpath, logs, Map.of(
            "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
            "herald.persistence.cassandra.local-datacenter", cassandra.localDatacenter(),
            "herald.auth.jwt-secret", TestNodes.JWT_SECRET,
            "herald.node.warm-up.duration", "0s"),
        Map.of("HERALD_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
            // Read by the JVM itself, so the node sees 2 CPUs on any machine, as on the 2-core machines of issue 13.
            "JAVA_TOOL_OPTIONS", "-XX:ActiveProcessorCount=2"))) {
      node.awaitReady(Duration.ofMinutes(3));
      var metricsUri = node.node(0).managementUri().resolve("/metrics");
      int httpPort = node.node(0).httpPort();
      assertEquals(2.0, value(CPUS, scrape(metricsUri)), "the node's JVM sees 2 CPUs; see " + node.node(0).log());

      var members = List.of("member-a-" + run, "member-b-" + run, "member-c-" + run);
      var conversation = "threads-" + run;
      try (var listener = client(httpPort, members.get(2), "phone")) {
        // The listener's live session gets every chat as a push: the fan-out and push paths run too.
        var welcome = listener.request(ClientFrame.newBuilder().setMessageId("hello-" + run)
            .setHello(Hello.getDefaultInstance()));
        assertTrue(welcome.hasWelcome(), () -> "the answer to hello: " + welcome);
        double applied = value(APPLIED, scrape(metricsUri));
        try (var creator = client(httpPort, members.get(0), "phone")) {
          var answer = creator.request(ClientFrame.newBuilder().setMessageId("create-" + run).setCreateConversation(
              CreateConversation.newBuilder().setConversationId(conversation).addAllMemberUserIds(members)));
          // The creator's session may see its membership notice (a push) before the answer.
          while (answer.hasPush()) {
            answer = creator.next();
          }
          var created = answer;
          assertTrue(created.hasAck(), () -> "the answer to create_conversation: " + created);
        }

        // Warm-up: pools and connections reach their working size, every path has run once.
        int warmUpChats = 10;
        int warmUp = sendAll(senders, httpPort, run + "-w", conversation, members, 10, 2, warmUpChats);
        applied = awaitApplied(metricsUri, applied, 1 + warmUp, node.node(0).log());
        awaitChatPushes(listener, SENDERS * warmUpChats, node.node(0).log());
        double startedBefore = value(STARTED, scrape(metricsUri));

        int frames = sendAll(senders, httpPort, run, conversation, members, TELEMETRY_PER_DEVICE, DESIRED_PER_DEVICE,
            CHATS_PER_SENDER);
        assertEquals(FRAMES, frames);
        awaitApplied(metricsUri, applied, FRAMES, node.node(0).log());
        awaitChatPushes(listener, SENDERS * CHATS_PER_SENDER, node.node(0).log());
        double startedAfter = value(STARTED, scrape(metricsUri));

        double started = startedAfter - startedBefore;
        assertTrue(started < MAX_NEW_THREADS, "the node started " + (long) started + " threads while " + FRAMES
            + " frames were acked and applied; at most " + MAX_NEW_THREADS + " are allowed (a thread per task?)");
      }
    } finally {
      senders.shutdownNow();
    }
  }

  /**
   * Each of {@link #DEVICES} devices sends its telemetry and set_desired frames, each of {@link #SENDERS} members its
   * chats, all at once, each frame acked before the next. Returns how many frames were acked.
   */
  private static int sendAll(ExecutorService senders, int httpPort, String run, String conversation,
      List<String> members, int telemetry, int desired, int chats) throws Exception {
    var jobs = new ArrayList<Future<Integer>>();
    IntStream.range(0, DEVICES).forEach(d -> jobs.add(senders.submit(() -> {
      var user = "threads-user-" + d + "-" + run;
      var device = "threads-device-" + d + "-" + run;
      try (var client = client(httpPort, user, device)) {
        // Telemetry first: it makes the user the device's owner, which set_desired is checked against.
        for (int i = 0; i < telemetry; i++) {
          assertAcked(client.request(WalkingSkeletonTest.telemetry("t-" + i + "-" + device, i)));
        }
        for (int i = 0; i < desired; i++) {
          var frame = ClientFrame.newBuilder().setMessageId("d-" + i + "-" + device)
              .setSetDesired(SetDesired.newBuilder().setDeviceId(device).putDesired("fw", "1." + i));
          // The device's owner is known once its first telemetry is applied, which that frame's ack does not wait
          // for (ack = durable in Kafka): until then set_desired is refused with UNKNOWN_DEVICE, before Kafka.
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            var reply = client.request(frame);
            if (reply.hasNack() && reply.getNack().getCode() == NackCode.UNKNOWN_DEVICE) {
              return false;
            }
            assertAcked(reply);
            return true;
          });
        }
      }
      return telemetry + desired;
    })));
    IntStream.range(0, SENDERS).forEach(s -> jobs.add(senders.submit(() -> {
      try (var client = client(httpPort, members.get(s), "phone")) {
        for (int i = 0; i < chats; i++) {
          assertAcked(client.request(ClientFrame.newBuilder().setMessageId("c-" + s + "-" + i + "-" + run)
              .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText("m" + i))));
        }
      }
      return chats;
    })));
    int acked = 0;
    for (var job : jobs) {
      acked += job.get(5, TimeUnit.MINUTES);
    }
    return acked;
  }

  private static void assertAcked(ServerFrame reply) {
    assertTrue(reply.hasAck(), "not acked: " + reply);
  }

  /** Waits until {@code frames} more records than {@code from} are applied; returns the count then. */
  private double awaitApplied(URI metricsUri, double from, int frames, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    double applied = from;
    while (System.nanoTime() < deadline) {
      applied = value(APPLIED, scrape(metricsUri));
      if (applied >= from + frames) {
        return applied;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + (long) (applied - from) + " of " + frames + " records applied within 3 min; see "
        + log);
  }

  /** Waits until the live session got {@code count} more chat pushes (other pushes are skipped). */
  private static void awaitChatPushes(WebSocketTestClient listener, int count, Path log) throws InterruptedException {
    int received = 0;
    while (received < count) {
      var frame = listener.receive(Duration.ofMinutes(2));
      if (frame == null) {
        throw new AssertionError("the member's session got " + received + " of " + count + " chat pushes; see " + log);
      }
      if (frame.hasPush() && frame.getPush().hasChatMessage()) {
        received++;
      }
    }
  }

  private String scrape(URI metricsUri) throws Exception {
    var response = http.send(HttpRequest.newBuilder(metricsUri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), "GET " + metricsUri);
    return response.body();
  }

  /** The series' value, 0 while it has none yet. */
  private static double value(Pattern series, String metrics) {
    var matcher = series.matcher(metrics);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }

  private static WebSocketTestClient client(int httpPort, String user, String device) {
    return WebSocketTestClient.connect(httpPort, Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10)));
  }
}
