package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.FreePorts;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.cluster.UserSignal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chat through every layer: frames over WebSocket, acked after Kafka, applied by the Conversation entity (one total
 * order), fanned out in conversation order to every member's outbox with per-user sequence numbers — on one node, and
 * on two nodes of which one is killed in the middle of the run.
 */
@ExtendWith(InfraExtension.class)
class ChatFlowTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final int SENDERS = 3;
  private static final int MESSAGES_PER_SENDER = 200;
  private static final int TOTAL = SENDERS * MESSAGES_PER_SENDER;

  @Test
  void concurrentSendersGetOneGapFreeOrderSeenIdenticallyByEveryMember(Kafka kafka, Cassandra cassandra) throws Exception {
    var run = UUID.randomUUID().toString().substring(0, 8);
    var members = members(run);
    var conversation = "conv-" + run;
    var outsider = "outsider-" + run;

    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      createConversation(node, run, conversation, members);
      CompletableFuture.allOf(senders(node, run, conversation, members, new AtomicInteger())).get();

      try (var sender = client(node, members.get(1))) {
        // A resend of an acked message is acked again and creates nothing new.
        assertTrue(sender.request(chat("s1-0-" + run, conversation, "s1:0")).hasAck());
      }
      try (var intruder = client(node, outsider)) {
        assertTrue(intruder.request(chat("x-" + run, conversation, "let me in")).hasAck());
      }

      var testKit = ActorTestKit.create(node.system());
      var reference = everyMemberReceivesTheSameOrderedConversation(testKit, node, members);
      historyEqualsThePushes(node, members.get(3), conversation, reference);
      assertEquals(404, rest(node, outsider, "/v1/conversations/" + conversation + "/messages").statusCode());

      var outsiderPushes = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> allPushes(testKit, node, outsider), pushes -> !pushes.isEmpty());
      assertEquals(NackCode.FORBIDDEN, outsiderPushes.get(0).getRejected().getCode());
      assertEquals("x-" + run, outsiderPushes.get(0).getRejected().getMessageId());
    }
  }

  /**
   * Two nodes share the shards and the Kafka partitions; the one that is not the oldest is killed (no leave, no drain,
   * no commit) while chat and telemetry flow through the other's gateway. The survivor's Split Brain Resolver downs
   * it, its shards and partitions move, its uncommitted records are redelivered: the chat is the same as without the
   * kill, and every acked telemetry message is in the journal exactly once.
   */
  @Test
  void theSameRunWithANodeKilledInTheMiddleGivesTheSameResult(Kafka kafka, Cassandra cassandra) throws Exception {
    var run = UUID.randomUUID().toString().substring(0, 8);
    var members = members(run);
    var conversation = "conv-" + run;
    var ports = twoFreePortsAscending();
    // The Split Brain Resolver keeps the side with the lowest address when both sides are equal: the survivor's.
    var common = Map.<String, Object>of(
        "pekko.cluster.split-brain-resolver.stable-after", "5s",
        "herald.chat.conversation.idle-timeout", "10s");
    var survivorSettings = new HashMap<String, Object>(common);
    survivorSettings.put("pekko.remote.artery.canonical.port", ports[0]);
    var victimSettings = new HashMap<String, Object>(common);
    victimSettings.put("pekko.remote.artery.canonical.port", ports[1]);
    victimSettings.put("pekko.cluster.seed-nodes", List.of("pekko://herald@127.0.0.1:" + ports[0]));
    victimSettings.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
    TestNodes.withSchema(kafka, cassandra);

    try (var survivor = HeraldNode.start(TestNodes.config(kafka, cassandra, survivorSettings))) {
      var victim = HeraldNode.start(TestNodes.config(kafka, cassandra, victimSettings));
      WalkingSkeletonTest.awaitReady(survivor);
      WalkingSkeletonTest.awaitReady(victim);
      await().atMost(Duration.ofSeconds(60)).until(() -> upMembers(survivor) == 2);
      createConversation(survivor, run, conversation, members);

      var acks = new AtomicInteger();
      var devices = IntStream.range(0, 6).mapToObj(i -> "dev-" + i + "-" + run).toList();
      var telemetry = devices.stream().map(device -> CompletableFuture.supplyAsync(() -> {
        var acked = new ArrayList<String>();
        try (var client = WebSocketTestClient.connect(survivor.httpPort(),
            Tokens.mint(TestNodes.JWT_SECRET, "owner-" + device, device, Duration.ofMinutes(10)))) {
          for (int i = 0; i < 80; i++) {
            var id = device + "/" + i;
            var reply = client.request(WalkingSkeletonTest.telemetry(id, i));
            assertTrue(reply.hasAck(), reply.toString());
            acked.add(id);
            acks.incrementAndGet();
          }
        }
        return acked;
      })).toList();
      var chat = senders(survivor, run, conversation, members, acks);

      await().atMost(Duration.ofSeconds(120)).until(() -> acks.get() >= (TOTAL + 6 * 80) / 3);
      victim.system().terminate();
      victim.system().getWhenTerminated().toCompletableFuture().get();

      CompletableFuture.allOf(chat).get();
      var testKit = ActorTestKit.create(survivor.system());
      var reference = everyMemberReceivesTheSameOrderedConversation(testKit, survivor, members);
      historyEqualsThePushes(survivor, members.get(2), conversation, reference);
      aReconnectWithLastSeqReceivesExactlyTheMissedPushes(survivor, members.get(4), TOTAL - 50);

      try (var session = WalkingSkeletonTest.cql(cassandra)) {
        for (int d = 0; d < devices.size(); d++) {
          var device = devices.get(d);
          var acked = telemetry.get(d).get();
          await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
              .until(() -> WalkingSkeletonTest.storedTelemetryIds(session, device).size() >= acked.size());
          var timesStored = WalkingSkeletonTest.storedTelemetryIds(session, device).stream()
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
          assertEquals(acked.size(), timesStored.size(), "every acked message of " + device + " is applied");
          acked.forEach(id -> assertEquals(1L, timesStored.get(id), id + " is applied exactly once"));
        }
      }
      assertEquals(1, upMembers(survivor), "the killed node was downed");
    }
  }

  /**
   * A client that saw pushes up to {@code lastSeen} reconnects: it gets the ones after it, in order, nothing else. A
   * member's outbox holds the conversation's messages and its membership notice of the creation.
   */
  private static void aReconnectWithLastSeqReceivesExactlyTheMissedPushes(HeraldNode node, String member, long lastSeen)
      throws InterruptedException {
    try (var phone = client(node, member)) {
      phone.send(ClientFrame.newBuilder().setMessageId("hello-" + member)
          .setHello(Hello.newBuilder().setLastSeq(lastSeen)).build());
      var seqs = new ArrayList<Long>();
      var frame = phone.receive(Duration.ofSeconds(10));
      while (frame != null) {
        if (frame.hasPush()) {
          seqs.add(frame.getPush().getSeq());
        }
        frame = phone.receive(Duration.ofSeconds(2));
      }
      assertEquals(LongStream.rangeClosed(lastSeen + 1, TOTAL + 1).boxed().toList(), seqs);
    }
  }

  private static List<String> members(String run) {
    return IntStream.range(0, 5).mapToObj(i -> "member-" + i + "-" + run).toList();
  }

  /**
   * Creates the conversation and waits until it exists (its history answers), as a client app does before it lets
   * its users write: a send that overtakes the creation on another partition waits in the conversation only up to
   * {@code herald.chat.conversation.parked.capacity}, then is refused with RETRY_LATER.
   */
  private static void createConversation(HeraldNode node, String run, String conversation, List<String> members)
      throws InterruptedException {
    try (var creator = client(node, members.get(0))) {
      assertTrue(creator.request(ClientFrame.newBuilder().setMessageId("create-" + run).setCreateConversation(
          CreateConversation.newBuilder().setConversationId(conversation).addAllMemberUserIds(members))).hasAck());
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
        rest(node, members.get(0), "/v1/conversations/" + conversation + "/messages").statusCode() == 200);
  }

  /** Members 0..2 each send their messages one after the other, each acked before the next, all three at once. */
  private static CompletableFuture<?>[] senders(
      HeraldNode node, String run, String conversation, List<String> members, AtomicInteger acks) {
    return IntStream.range(0, SENDERS).mapToObj(s -> CompletableFuture.runAsync(() -> {
      try (var sender = client(node, members.get(s))) {
        for (int i = 0; i < MESSAGES_PER_SENDER; i++) {
          var reply = sender.request(chat("s" + s + "-" + i + "-" + run, conversation, "s" + s + ":" + i));
          assertTrue(reply.hasAck(), reply.toString());
          acks.incrementAndGet();
        }
      }
    })).toArray(CompletableFuture[]::new);
  }

  /**
   * Every member's outbox holds the conversation once, in conversation order (1..TOTAL, no gap, no duplicate), the
   * same for all; each sender's messages in the order it sent them. Returns that conversation.
   */
  private static List<ChatMessage> everyMemberReceivesTheSameOrderedConversation(
      ActorTestKit testKit, HeraldNode node, List<String> members) {
    List<ChatMessage> reference = null;
    for (var member : members) {
      var chats = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
          .until(() -> chatPushes(testKit, node, member), pushes -> pushes.size() >= TOTAL)
          .stream().map(Push::getChatMessage).toList();
      assertEquals(LongStream.rangeClosed(1, TOTAL).boxed().toList(),
          chats.stream().map(ChatMessage::getConversationSeq).toList(), "gap-free conversation order for " + member);
      if (reference == null) {
        reference = chats;
        for (int s = 0; s < SENDERS; s++) {
          var prefix = "s" + s + ":";
          var texts = chats.stream().map(ChatMessage::getText).filter(t -> t.startsWith(prefix)).toList();
          assertEquals(IntStream.range(0, MESSAGES_PER_SENDER).mapToObj(i -> prefix + i).toList(), texts,
              "sender " + s + " in the order it sent");
        }
      } else {
        assertEquals(reference, chats, "every member sees the same sequence");
      }
    }
    return reference;
  }

  /** History over REST, paged, returns the same list to a member. */
  private static void historyEqualsThePushes(HeraldNode node, String member, String conversation,
      List<ChatMessage> reference) throws Exception {
    var history = new ArrayList<JsonNode>();
    long after = 0;
    while (after < TOTAL) {
      var page = json.readTree(rest(node, member,
          "/v1/conversations/" + conversation + "/messages?after_seq=" + after + "&limit=150").body());
      page.get("messages").forEach(history::add);
      after = history.get(history.size() - 1).get("conversation_seq").asLong();
      assertEquals(TOTAL, page.get("last_seq").asLong());
    }
    assertEquals(reference.stream().map(ChatMessage::getMessageId).toList(),
        history.stream().map(m -> m.get("message_id").asText()).toList());
  }

  private static long upMembers(HeraldNode node) {
    var members = Cluster.get(node.system()).state().getMembers();
    return java.util.stream.StreamSupport.stream(members.spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  private static int[] twoFreePortsAscending() {
    return IntStream.of(FreePorts.pick(), FreePorts.pick()).sorted().toArray();
  }

  private static HttpResponse<String> rest(HeraldNode node, String user, String path) throws Exception {
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static WebSocketTestClient client(HeraldNode node, String user) {
    return WebSocketTestClient.connect(node.httpPort(), Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10)));
  }

  private static ClientFrame.Builder chat(String messageId, String conversation, String text) {
    return ClientFrame.newBuilder().setMessageId(messageId)
        .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText(text));
  }

  private static List<Push> chatPushes(ActorTestKit testKit, HeraldNode node, String user) {
    return allPushes(testKit, node, user).stream().filter(Push::hasChatMessage).toList();
  }

  /** Everything in the user's outbox, replayed to a fresh session from seq 0. */
  private static List<Push> allPushes(ActorTestKit testKit, HeraldNode node, String user) {
    var session = testKit.<SessionSignal>createTestProbe();
    ClusterSharding.get(node.system()).entityRefFor(UserSignal.TYPE_KEY, user)
        .tell(new AttachSession("probe", 0, session.ref()));
    var pushes = new ArrayList<Push>();
    while (true) {
      try {
        pushes.add(((DeliverPush) session.receiveMessage(Duration.ofMillis(500))).frame().getPush());
      } catch (AssertionError quiet) {
        session.stop();
        return pushes;
      }
    }
  }
}
