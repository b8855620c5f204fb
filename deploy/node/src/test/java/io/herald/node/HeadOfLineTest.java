package io.herald.node;

import io.herald.gateway.WebSocketTestClient;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ChatRead;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Rejected;
import io.herald.protocol.device.v1.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14's head-of-line scenario on real Kafka and Cassandra: users whose records cannot be applied (a read receipt
 * for a conversation that does not exist, a chat to a conversation not created yet whose waiting sends are at their
 * bound) hold up nobody. They get push.rejected at once, and 24 pairs chatting meanwhile get every push within 1 s;
 * so do they beside a user with a backlog of records waiting to be applied.
 */
@ExtendWith(InfraExtension.class)
class HeadOfLineTest {

  private static final int PAIRS = 24;
  private static final int BLOCKERS = 12;
  private static final Duration PUSH_BOUND = Duration.ofSeconds(1);
  /** Below the consumer's window (herald.user.ingest.window, 1,024), far above its applying bound (32). */
  private static final int BACKLOG = 900;

  @Test
  void recordsThatCannotBeAppliedHoldUpNoOtherUser(Kafka kafka, Cassandra cassandra) throws Exception {
    var run = UUID.randomUUID().toString().substring(0, 8);
    TestNodes.withSchema(kafka, cassandra);
    // One send may wait for a conversation's creation, so the second one finds the parking full.
    var config = TestNodes.config(kafka, cassandra, Map.of("herald.chat.conversation.parked.capacity", 1));
    var pool = Executors.newFixedThreadPool(PAIRS);
    var clients = new ArrayList<WebSocketTestClient>();
    try (var node = HeraldNode.start(config)) {
      WalkingSkeletonTest.awaitReady(node);
      var senders = new ArrayList<WebSocketTestClient>();
      var receivers = new ArrayList<WebSocketTestClient>();
      for (int i = 0; i < PAIRS; i++) {
        var sender = open(node, "a-" + i + "-" + run, clients);
        var receiver = open(node, "b-" + i + "-" + run, clients);
        assertTrue(sender.request(ClientFrame.newBuilder().setMessageId("create-" + i + "-" + run)
            .setCreateConversation(CreateConversation.newBuilder().setConversationId(conversation(i, run))
                .addMemberUserIds("b-" + i + "-" + run))).hasAck());
        senders.add(sender);
        receivers.add(receiver);
      }
      for (int i = 0; i < PAIRS; i++) {
        var creator = "a-" + i + "-" + run;
        var path = "/v1/conversations/" + conversation(i, run) + "/messages";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .until(() -> rest(node, creator, path) == 200);
      }
      // Every path has run once before anything is measured.
      assertEquals(List.of(), round(pool, senders, receivers, run, "warm", Duration.ofSeconds(60)));

      var blockers = new ArrayList<WebSocketTestClient>();
      for (int k = 0; k < BLOCKERS; k++) {
        var blocker = open(node, "blocker-" + k + "-" + run, clients);
        assertTrue(blocker.request(ClientFrame.newBuilder().setMessageId("read-" + k + "-" + run)
            .setChatRead(ChatRead.newBuilder().setConversationId("nowhere-" + k + "-" + run).setUpToSeq(5))).hasAck());
        blockers.add(blocker);
      }
      var early = open(node, "early-" + run, clients);
      for (var id : List.of("early-1-" + run, "early-2-" + run)) {
        assertTrue(early.request(ClientFrame.newBuilder().setMessageId(id)
            .setChatSend(ChatSend.newBuilder().setConversationId("later-" + run).setText("first!"))).hasAck());
      }

      for (var measured : List.of("one", "two")) {
        var late = round(pool, senders, receivers, run, measured, PUSH_BOUND);
        assertEquals(List.of(), late, "pairs whose chat push did not arrive within " + PUSH_BOUND + " of the send, "
            + "round " + measured);
      }
      for (int k = 0; k < BLOCKERS; k++) {
        var rejected = awaitRejected(blockers.get(k), "read-" + k + "-" + run);
        assertEquals(NackCode.FORBIDDEN, rejected.getCode());
        assertEquals("conversation nowhere-" + k + "-" + run + " does not exist", rejected.getDetail());
      }
      var full = awaitRejected(early, "early-2-" + run);
      assertEquals(NackCode.RETRY_LATER, full.getCode(), full.toString());
      assertEquals(5_000, full.getRetryAfterMs());

      // A user with a backlog: records acked and not applied yet, as a consumer catching up after an outage finds
      // them. Its records wait for each other (one entity, in order); nobody else waits for them. With the applying
      // bound (32) counting the records that wait for their own user's, the pairs' pushes came seconds late.
      var backlogUser = "backlog-" + run;
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
          new StringSerializer(), new ByteArraySerializer())) {
        for (int n = 0; n < BACKLOG; n++) {
          var id = "backlog-" + n + "-" + run;
          var record = IngressRecord.newBuilder().setMessageId(id).setUserId(backlogUser)
              .setDeviceId(backlogUser + "-sensor").setReceivedAtMs(System.currentTimeMillis())
              .setTransport(Transport.WEBSOCKET).setFrame(ClientFrame.newBuilder().setMessageId(id)
                  .setTelemetry(Telemetry.newBuilder().putReadings("t", n))).build();
          producer.send(new ProducerRecord<>("herald.ingress", backlogUser, record.toByteArray()));
        }
        producer.flush();
      }
      assertEquals(List.of(), round(pool, senders, receivers, run, "beside-a-backlog", PUSH_BOUND),
          "pairs whose chat push did not arrive within " + PUSH_BOUND + " of the send, beside a user's backlog of "
              + BACKLOG + " records");
    } finally {
      clients.forEach(WebSocketTestClient::close);
      pool.shutdownNow();
    }
  }

  private static String conversation(int pair, String run) {
    return "pair-" + pair + "-" + run;
  }

  /**
   * Each sender sends one chat, all at once; returns the pairs whose receiver did not get it as a push within
   * {@code bound} of the send (from the send to the moment the test read it: never less than the real delay).
   */
  private static List<String> round(java.util.concurrent.ExecutorService pool, List<WebSocketTestClient> senders,
      List<WebSocketTestClient> receivers, String run, String round, Duration bound) throws Exception {
    var jobs = new ArrayList<Future<String>>();
    IntStream.range(0, senders.size()).forEach(i -> jobs.add(pool.submit((Callable<String>) () -> {
      var id = "chat-" + round + "-" + i + "-" + run;
      var sent = System.nanoTime();
      // The sender is a member too: its own chat push may come before the ack.
      senders.get(i).send(ClientFrame.newBuilder().setMessageId(id)
          .setChatSend(ChatSend.newBuilder().setConversationId(conversation(i, run)).setText(round)).build());
      var reply = next(senders.get(i), f -> f.hasAck() || f.hasNack(), Duration.ofSeconds(30));
      assertTrue(reply != null && reply.hasAck() && reply.getAck().getMessageId().equals(id), String.valueOf(reply));
      var push = next(receivers.get(i), f -> f.hasPush() && f.getPush().hasChatMessage()
          && f.getPush().getChatMessage().getMessageId().equals(id), bound);
      var took = Duration.ofNanos(System.nanoTime() - sent);
      return push != null && took.compareTo(bound) <= 0 ? null : "pair " + i + " (" + (push == null ? "none within "
          + bound : took.toMillis() + " ms") + ")";
    })));
    var late = new ArrayList<String>();
    for (var job : jobs) {
      var outcome = job.get(2, TimeUnit.MINUTES);
      if (outcome != null) {
        late.add(outcome);
      }
    }
    return late;
  }

  static Rejected awaitRejected(WebSocketTestClient client, String messageId) throws InterruptedException {
    var frame = next(client, f -> f.hasPush() && f.getPush().hasRejected()
        && f.getPush().getRejected().getMessageId().equals(messageId), Duration.ofSeconds(30));
    if (frame == null) {
      throw new AssertionError("no push.rejected for " + messageId + " within 30 s");
    }
    return frame.getPush().getRejected();
  }

  /** The first frame that matches within {@code within}, skipping the others; null if none came. */
  static ServerFrame next(WebSocketTestClient client, Predicate<ServerFrame> wanted, Duration within)
      throws InterruptedException {
    var deadline = System.nanoTime() + within.toNanos();
    while (true) {
      var left = deadline - System.nanoTime();
      var frame = left <= 0 ? null : client.receive(Duration.ofNanos(left));
      if (frame == null || wanted.test(frame)) {
        return frame;
      }
    }
  }

  /** A user's phone with a live session (hello answered), so that its pushes arrive on it. */
  static WebSocketTestClient open(HeraldNode node, String user, List<WebSocketTestClient> clients) throws Exception {
    var client = WebSocketTestClient.connect(node.httpPort(),
        Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10)));
    clients.add(client);
    assertTrue(client.request(ClientFrame.newBuilder().setMessageId("hello-" + user)
        .setHello(Hello.getDefaultInstance())).hasWelcome());
    return client;
  }

  private static int rest(HeraldNode node, String user, String path) throws Exception {
    return restGet(node, user, path).statusCode();
  }

  /** A REST read by the user's phone. */
  static HttpResponse<String> restGet(HeraldNode node, String user, String path) throws Exception {
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }
}
