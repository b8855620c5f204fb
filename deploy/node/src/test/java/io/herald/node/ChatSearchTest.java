package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.solr.SolrNode;
import io.herald.infra.Kafka;
import io.herald.persistence.TagSlices;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.RemoveMembers;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chat search on real Kafka, Cassandra and Solr (SolrCloud, embedded ZooKeeper), through one node: a message a member
 * sent is found by a member within 2 s of its ack and never by a non-member; filters by conversation and time; a
 * member who left finds nothing new; Solr killed: 503 with Retry-After while acks go on, and once Solr is back the
 * projection catches up with nothing missing or doubled.
 */
@ExtendWith(InfraExtension.class)
class ChatSearchTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Duration ACK_TO_FOUND = Duration.ofSeconds(2);

  @Test
  void membersFindTheirMessagesInTimeOthersNeverAndSolrDownAnswers503(Kafka kafka, Cassandra cassandra, SolrNode solr)
      throws Exception {
    var run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    var alice = "alice-" + run;
    var bob = "bob-" + run;
    var carol = "carol-" + run;
    var conversation = "conv-" + run;
    TestNodes.withSchema(kafka, cassandra);
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.search.enabled", true,
        "herald.search.solr.base-url", solr.baseUrl(),
        "herald.search.solr.collection", "chat_" + run,
        "herald.search.projection.restart-min-backoff", "500ms",
        "herald.search.projection.restart-max-backoff", "2s",
        // Polls every 20 ms measure the latency: more than a user's read rate allows.
        "herald.gateway.rest.user-reads-per-second", 1000,
        "herald.gateway.rest.user-read-burst", 1000));

    try (var node = HeraldNode.start(config);
        var aliceClient = client(node, alice)) {
      WalkingSkeletonTest.awaitReady(node);
      assertTrue(aliceClient.request(ClientFrame.newBuilder().setMessageId("create-" + run).setCreateConversation(
          CreateConversation.newBuilder().setConversationId(conversation).addMemberUserIds(bob))).hasAck());

      // The first message also waits for the projection to start and create the collection.
      var first = "first" + run;
      send(aliceClient, "m0-" + run, conversation, "warming up " + first);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          messages(search(node, bob, Map.of("q", first))).size() == 1);

      // Ack to found, measured per message.
      var latencies = new ArrayList<Long>();
      for (int i = 1; i <= 5; i++) {
        var word = "word" + i + run;
        send(aliceClient, "m" + i + "-" + run, conversation, "Hello Bob, the " + word + " is here");
        long acked = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
            messages(search(node, bob, Map.of("q", word.toUpperCase()))).size() == 1);
        latencies.add((System.nanoTime() - acked) / 1_000_000);
      }
      System.out.println("ChatSearchTest: ack to searchable (ms), five messages: " + latencies);
      assertTrue(latencies.stream().allMatch(ms -> ms <= ACK_TO_FOUND.toMillis()),
          "every message found within " + ACK_TO_FOUND + " of its ack: " + latencies);

      var hit = messages(search(node, bob, Map.of("q", "word3" + run))).get(0);
      assertEquals(conversation, hit.path("conversation_id").asText());
      assertEquals("m3-" + run, hit.path("message_id").asText());
      assertEquals(alice, hit.path("sender_user_id").asText());
      assertEquals(List.of(), messages(search(node, carol, Map.of("q", "word3" + run))),
          "a non-member finds nothing");
      assertEquals(List.of(), messages(search(node, carol, Map.of("q", "word3" + run,
          "conversation_id", conversation))), "not even naming the conversation");
      assertEquals(5, messages(search(node, alice, Map.of("q", "is HERE", "conversation_id", conversation))).size(),
          "every word must occur: five messages hold both");
      assertEquals(List.of(), messages(search(node, bob, Map.of("q", "word3" + run,
          "conversation_id", "other-" + run))), "filtered by conversation");
      long at = hit.path("at_ms").asLong();
      assertEquals(1, messages(search(node, bob, Map.of("q", "word3" + run, "from", String.valueOf(at),
          "to", String.valueOf(at)))).size(), "in the time range");
      assertEquals(List.of(), messages(search(node, bob, Map.of("q", "word3" + run,
          "from", String.valueOf(at + 1)))), "after the time range");

      // Bad parameters: 400 with an error body.
      for (var bad : List.of(Map.of("q", " "), Map.of("q", "x", "limit", "0"), Map.of("q", "x", "from", "-1"),
          Map.of("q", "x", "from", "10", "to", "9"), Map.of("q", "x".repeat(257)))) {
        var response = search(node, bob, bad);
        assertEquals(400, response.statusCode(), bad::toString);
        assertTrue(json.readTree(response.body()).path("error").asText().length() > 0, response::body);
      }
      assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/v1/search/messages?q=x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

      // A member who left finds what was sent while they were a member, and nothing new.
      assertTrue(aliceClient.request(ClientFrame.newBuilder().setMessageId("remove-" + run).setRemoveMembers(
          RemoveMembers.newBuilder().setConversationId(conversation).addMemberUserIds(bob))).hasAck());
      var afterLeaving = "later" + run;
      send(aliceClient, "m6-" + run, conversation, "after bob left " + afterLeaving);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
          messages(search(node, alice, Map.of("q", afterLeaving))).size() == 1);
      assertEquals(List.of(), messages(search(node, bob, Map.of("q", afterLeaving))), "nothing new after leaving");
      assertEquals(1, messages(search(node, bob, Map.of("q", "word3" + run))).size(), "what he saw stays");

      // Solr killed: 503 with Retry-After; sends are still acked.
      solr.kill();
      var down = search(node, alice, Map.of("q", afterLeaving));
      assertEquals(503, down.statusCode(), down::body);
      assertTrue(down.headers().firstValue("Retry-After").isPresent(), "Retry-After");
      var whileDown = "outage" + run;
      for (int i = 0; i < 5; i++) {
        send(aliceClient, "d" + i + "-" + run, conversation, "sent while Solr was down " + whileDown + " " + i);
      }
      // Operators see the slice fail and fall behind (docs/operations.md), and the node stays ready: search being
      // behind says nothing about the write path.
      var slice = TagSlices.chat(config).tagFor(conversation);
      var management = node.managementUri().replaceAll("/$", "");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
          metric(management, "herald_projection_failing", slice) == 1.0);
      double lagWhileDown = metric(management, "herald_projection_lag_seconds", slice);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
          metric(management, "herald_projection_lag_seconds", slice) > lagWhileDown);
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(management + "/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode(), "ready while search is behind");
      long restartAt = System.nanoTime();
      solr.start();
      System.out.println("ChatSearchTest: Solr up again after " + (System.nanoTime() - restartAt) / 1_000_000 + " ms");
      // Search answers again once Solr does, whatever the projection's progress.
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          search(node, alice, Map.of("q", afterLeaving)).statusCode() == 200);
      // Nothing acked while Solr was down may be lost: once stalled here for good (issue 16), because the projection
      // read a restarted Solr before it had replayed its transaction log (docs/design.md, read side).
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          messages(search(node, alice, Map.of("q", whileDown))).size() == 5);
      System.out.println("ChatSearchTest: caught up " + (System.nanoTime() - restartAt) / 1_000_000
          + " ms after Solr's restart began");
      assertEquals(0.0, metric(management, "herald_projection_failing", slice), "no longer failing once caught up");
      var outage = messages(search(node, alice, Map.of("q", whileDown, "limit", "50")));
      assertEquals(5, json.readTree(search(node, alice, Map.of("q", whileDown)).body()).path("found").asLong(),
          "each message once: nothing doubled");
      assertEquals(Set.of("d0-" + run, "d1-" + run, "d2-" + run, "d3-" + run, "d4-" + run),
          Set.copyOf(outage.stream().map(message -> message.path("message_id").asText()).toList()),
          "nothing missing");
      assertEquals(List.of(), messages(search(node, bob, Map.of("q", whileDown))),
          "a member who left finds nothing sent while Solr was down either");
    } finally {
      solr.start(); // for the next test in this JVM, whatever happened above
    }
  }

  /** A series of the chat-search projection's slice on the node's /metrics (at its management URI). */
  static double metric(String management, String name, String slice) throws Exception {
    var metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    var line = Pattern.compile("^" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    while (line.find()) {
      if (line.group(1).contains("projection=\"chat-search\"") && line.group(1).contains("slice=\"" + slice + "\"")) {
        return Double.parseDouble(line.group(2));
      }
    }
    throw new AssertionError(name + " for " + slice + " not on /metrics");
  }

  private static void send(WebSocketTestClient client, String messageId, String conversation, String text) {
    assertTrue(client.request(ClientFrame.newBuilder().setMessageId(messageId)
        .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText(text))).hasAck(), messageId);
  }

  private static WebSocketTestClient client(HeraldNode node, String user) {
    return WebSocketTestClient.connect(node.httpPort(),
        Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10)));
  }

  private static HttpResponse<String> search(HeraldNode node, String user, Map<String, String> params)
      throws Exception {
    var query = new StringBuilder();
    params.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/search/messages"
        + query)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The messages of a 200 answer; anything else fails the caller's condition. */
  private static List<JsonNode> messages(HttpResponse<String> response) throws Exception {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("search answered " + response.statusCode() + ": " + response.body());
    }
    var found = new ArrayList<JsonNode>();
    json.readTree(response.body()).path("messages").forEach(found::add);
    return found;
  }
}
