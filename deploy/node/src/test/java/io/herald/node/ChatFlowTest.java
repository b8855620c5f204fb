package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.cluster.AttachSession;
import io.herald.protocol.cluster.DeliverPush;
import io.herald.protocol.cluster.SessionSignal;
import io.herald.protocol.cluster.UserSignal;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chat through every layer: frames over WebSocket, acked after Kafka, applied by the Conversation entity (one total
 * order), fanned out to every member's outbox with per-user sequence numbers.
 */
@ExtendWith(InfraExtension.class)
class ChatFlowTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final int SENDERS = 3;
  private static final int MESSAGES_PER_SENDER = 30;

  @Test
  void concurrentSendersGetOneGapFreeOrderSeenIdenticallyByEveryMember(Kafka kafka, Cassandra cassandra) throws Exception {
    var run = UUID.randomUUID().toString().substring(0, 8);
    var members = IntStream.range(0, 5).mapToObj(i -> "member-" + i + "-" + run).toList();
    var conversation = "conv-" + run;
    var outsider = "outsider-" + run;

    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      try (var creator = client(node, members.get(0))) {
        assertTrue(creator.request(ClientFrame.newBuilder().setMessageId("create-" + run).setCreateConversation(
            CreateConversation.newBuilder().setConversationId(conversation).addAllMemberUserIds(members))).hasAck());
      }

      var sends = IntStream.range(0, SENDERS).mapToObj(s -> CompletableFuture.runAsync(() -> {
        try (var sender = client(node, members.get(s))) {
          for (int i = 0; i < MESSAGES_PER_SENDER; i++) {
            var reply = sender.request(chat("s" + s + "-" + i + "-" + run, conversation, "s" + s + ":" + i));
            assertTrue(reply.hasAck(), reply.toString());
          }
          // A resend of an acked message is acked again and creates nothing new.
          assertTrue(sender.request(chat("s" + s + "-0-" + run, conversation, "s" + s + ":0")).hasAck());
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      })).toArray(CompletableFuture[]::new);
      CompletableFuture.allOf(sends).get();

      try (var intruder = client(node, outsider)) {
        assertTrue(intruder.request(chat("x-" + run, conversation, "let me in")).hasAck());
      }

      var total = SENDERS * MESSAGES_PER_SENDER;
      var testKit = ActorTestKit.create(node.system());
      List<ChatMessage> reference = null;
      for (var member : members) {
        var received = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
            .until(() -> chatPushes(testKit, node, member), pushes -> pushes.size() >= total);
        assertEquals(total, received.size(), "no duplicates for " + member);
        // Clients order chat by conversation_seq: pushes of different senders' messages may enter a member's outbox
        // in either order (their fan-outs run on different partitions), the conversation order is the seq.
        var chats = received.stream().map(Push::getChatMessage)
            .sorted(java.util.Comparator.comparingLong(ChatMessage::getConversationSeq)).toList();
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList(),
            chats.stream().map(ChatMessage::getConversationSeq).toList(), "gap-free order for " + member);
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

      // History over REST, paged, returns the same list to a member, and nothing to an outsider.
      var history = new ArrayList<JsonNode>();
      long after = 0;
      while (after < total) {
        var page = json.readTree(rest(node, members.get(3), "/v1/conversations/" + conversation + "/messages?after_seq=" + after + "&limit=40").body());
        page.get("messages").forEach(history::add);
        after = history.get(history.size() - 1).get("conversation_seq").asLong();
        assertEquals(total, page.get("last_seq").asLong());
      }
      assertEquals(reference.stream().map(ChatMessage::getMessageId).toList(),
          history.stream().map(m -> m.get("message_id").asText()).toList());
      assertEquals(404, rest(node, outsider, "/v1/conversations/" + conversation + "/messages").statusCode());

      var outsiderPushes = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> allPushes(testKit, node, outsider), pushes -> !pushes.isEmpty());
      assertEquals(NackCode.FORBIDDEN, outsiderPushes.get(0).getRejected().getCode());
      assertEquals("x-" + run, outsiderPushes.get(0).getRejected().getMessageId());
    }
  }

  private static HttpResponse<String> rest(HeraldNode node, String user, String path) throws Exception {
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static DeviceClient client(HeraldNode node, String user) {
    return DeviceClient.connect(node.httpPort(), Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10)));
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
