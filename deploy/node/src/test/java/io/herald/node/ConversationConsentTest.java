package io.herald.node;

import static io.herald.node.HeadOfLineTest.awaitRejected;
import static io.herald.node.HeadOfLineTest.next;
import static io.herald.node.HeadOfLineTest.open;
import static io.herald.node.HeadOfLineTest.restGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.herald.gateway.WebSocketTestClient;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.ConversationSummary;
import io.herald.protocol.device.v1.AddMembers;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ConversationMembership;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.LeaveConversation;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.RemoveMembers;
import io.herald.protocol.device.v1.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conversations by consent on real Kafka and Cassandra, every frame through the gateway and the consumer: a second
 * creator is refused, members are told who is in, a member who left gets no more messages, only the owner adds and
 * removes, and each user's REST list shows their own conversations only.
 */
@ExtendWith(InfraExtension.class)
class ConversationConsentTest {

  private static final Duration WITHIN = Duration.ofSeconds(30);

  @Test
  void membershipIsTheOwnersAndTheMembersConsent(Kafka kafka, Cassandra cassandra) throws Exception {
    var run = UUID.randomUUID().toString().substring(0, 8);
    var owner = "owner-" + run;
    var stayer = "stayer-" + run;
    var leaver = "leaver-" + run;
    var stranger = "stranger-" + run;
    var newcomer = "newcomer-" + run;
    var chat = "chat-" + run;
    var clients = new ArrayList<WebSocketTestClient>();
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var owners = open(node, owner, clients);
      var stayers = open(node, stayer, clients);
      var leavers = open(node, leaver, clients);
      var strangers = open(node, stranger, clients);
      var newcomers = open(node, newcomer, clients);

      // The creator owns it; every member is told the conversation, its owner and its members.
      send(owners, "create-" + run, ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder()
          .setConversationId(chat).addMemberUserIds(stayer).addMemberUserIds(leaver)));
      for (var member : List.of(owners, stayers, leavers)) {
        var told = membership(member, chat, 1);
        assertEquals(owner, told.getOwnerUserId());
        assertEquals(List.of(owner, stayer, leaver), told.getMemberUserIdsList());
      }

      // A second creator is refused, and so is a stranger's addition of itself.
      send(strangers, "take-over-" + run, ClientFrame.newBuilder().setCreateConversation(CreateConversation.newBuilder()
          .setConversationId(chat).addMemberUserIds(owner)));
      assertEquals(NackCode.ALREADY_EXISTS, awaitRejected(strangers, "take-over-" + run).getCode());
      send(strangers, "sneak-in-" + run, ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
          .setConversationId(chat).addMemberUserIds(stranger)));
      assertEquals(NackCode.FORBIDDEN, awaitRejected(strangers, "sneak-in-" + run).getCode());

      // A member leaves: everyone concerned is told, and the next messages do not reach it.
      send(leavers, "leave-" + run, ClientFrame.newBuilder().setLeaveConversation(LeaveConversation.newBuilder()
          .setConversationId(chat)));
      for (var staying : List.of(owners, stayers)) {
        assertEquals(List.of(owner, stayer), membership(staying, chat, 2).getMemberUserIdsList());
      }
      send(owners, "after-leave-1-" + run, chatSend(chat, "one"));
      send(owners, "after-leave-2-" + run, chatSend(chat, "two"));
      // The fan-out delivers a message only after the one before reached every member: once the stayer has the
      // second, the first went wherever it was going to go.
      assertTrue(next(stayers, frame -> isChat(frame, "after-leave-2-" + run), WITHIN) != null);
      // Anything pushed to the leaver before a later push comes before it: its outbox is one sequence.
      var elsewhere = "elsewhere-" + run;
      send(strangers, "create-elsewhere-" + run, ClientFrame.newBuilder().setCreateConversation(CreateConversation
          .newBuilder().setConversationId(elsewhere).addMemberUserIds(leaver)));
      var sinceLeaving = framesUntil(leavers, frame -> isMembership(frame, elsewhere, 1));
      assertEquals(List.of(), sinceLeaving.stream().filter(frame -> frame.hasPush() && frame.getPush().hasChatMessage())
          .toList(), "the leaver got none of the conversation's messages");
      assertEquals(List.of(List.of(owner, stayer)), sinceLeaving.stream().filter(frame -> isMembership(frame, chat, 2))
          .map(frame -> frame.getPush().getConversationMembership().getMemberUserIdsList()).toList(),
          "the leaver is told it is out");

      // The owner removes a member, who is told, and can no longer send or read.
      send(owners, "remove-" + run, ClientFrame.newBuilder().setRemoveMembers(RemoveMembers.newBuilder()
          .setConversationId(chat).addMemberUserIds(stayer)));
      assertEquals(List.of(owner), membership(stayers, chat, 3).getMemberUserIdsList());
      send(stayers, "still-here-" + run, chatSend(chat, "still here?"));
      assertEquals(NackCode.FORBIDDEN, awaitRejected(stayers, "still-here-" + run).getCode());
      assertEquals(404, restGet(node, stayer, "/v1/conversations/" + chat + "/messages").statusCode());

      // The owner adds a member, who is told.
      send(owners, "add-" + run, ClientFrame.newBuilder().setAddMembers(AddMembers.newBuilder()
          .setConversationId(chat).addMemberUserIds(newcomer)));
      assertEquals(List.of(owner, newcomer), membership(newcomers, chat, 4).getMemberUserIdsList());

      // Each user's list holds their own conversations, and only those.
      awaitList(node, owner, List.of(chat));
      assertEquals(2, list(node, owner).getConversations(0).getMemberCount());
      assertEquals(owner, list(node, owner).getConversations(0).getOwnerUserId());
      awaitList(node, newcomer, List.of(chat));
      awaitList(node, stranger, List.of(elsewhere));
      awaitList(node, leaver, List.of(elsewhere));
      awaitList(node, stayer, List.of());
    } finally {
      clients.forEach(WebSocketTestClient::close);
    }
  }

  private static ClientFrame.Builder chatSend(String conversationId, String text) {
    return ClientFrame.newBuilder().setChatSend(ChatSend.newBuilder().setConversationId(conversationId).setText(text));
  }

  /** Sends a frame and waits for its ack (pushes that come first are left for later reads to skip). */
  private static void send(WebSocketTestClient client, String messageId, ClientFrame.Builder frame) throws Exception {
    client.send(frame.setMessageId(messageId).build());
    var answer = next(client, f -> (f.hasAck() && f.getAck().getMessageId().equals(messageId))
        || (f.hasNack() && f.getNack().getMessageId().equals(messageId)), WITHIN);
    assertTrue(answer != null && answer.hasAck(), messageId + ": " + answer);
  }

  private static ConversationMembership membership(WebSocketTestClient client, String conversationId, long version)
      throws InterruptedException {
    var frame = next(client, f -> isMembership(f, conversationId, version), WITHIN);
    assertTrue(frame != null, "no conversation_membership " + version + " of " + conversationId + " within " + WITHIN);
    return frame.getPush().getConversationMembership();
  }

  private static boolean isMembership(ServerFrame frame, String conversationId, long version) {
    return frame.hasPush() && frame.getPush().hasConversationMembership()
        && frame.getPush().getConversationMembership().getConversationId().equals(conversationId)
        && frame.getPush().getConversationMembership().getVersion() == version;
  }

  private static boolean isChat(ServerFrame frame, String messageId) {
    return frame.hasPush() && frame.getPush().hasChatMessage()
        && frame.getPush().getChatMessage().getMessageId().equals(messageId);
  }

  /** Every frame up to and without the first that matches, which must come within {@link #WITHIN}. */
  private static List<ServerFrame> framesUntil(WebSocketTestClient client, java.util.function.Predicate<ServerFrame> last)
      throws InterruptedException {
    var frames = new ArrayList<ServerFrame>();
    var deadline = System.nanoTime() + WITHIN.toNanos();
    while (true) {
      var left = deadline - System.nanoTime();
      var frame = left <= 0 ? null : client.receive(Duration.ofNanos(left));
      assertTrue(frame != null, "the awaited frame did not come within " + WITHIN + "; got " + frames);
      if (last.test(frame)) {
        return frames;
      }
      frames.add(frame);
    }
  }

  private static ConversationList list(HeraldNode node, String user) throws Exception {
    var response = restGet(node, user, "/v1/conversations");
    assertEquals(200, response.statusCode(), response.body());
    var list = ConversationList.newBuilder();
    JsonFormat.parser().merge(response.body(), list);
    return list.build();
  }

  /** The notices reach the User entities by the conversation's own delivery: the list follows within a bound. */
  private static void awaitList(HeraldNode node, String user, List<String> conversationIds) {
    await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(conversationIds,
        list(node, user).getConversationsList().stream().map(ConversationSummary::getConversationId).toList(),
        user + "'s conversations"));
  }
}
