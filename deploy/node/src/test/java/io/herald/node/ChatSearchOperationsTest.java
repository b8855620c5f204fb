package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.infra.solr.SolrHttpClient;
import io.herald.infra.solr.SolrNode;
import io.herald.persistence.TagSlices;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.RemoveMembers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side for operators, on real Kafka, Cassandra and Solr through one node: each chat-search slice's lag and
 * events on /metrics and GET /admin/projections, and the rebuild from the journal ({@code herald projection rebuild},
 * POST /admin/projections/chat-search/rebuild), which must give the same documents again, each message once.
 */
@ExtendWith(InfraExtension.class)
class ChatSearchOperationsTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  void lagIsShownAndARebuildFromTheJournalGivesTheSameIndex(Kafka kafka, Cassandra cassandra, SolrNode solr,
      @TempDir Path dir) throws Exception {
    var run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    var alice = "alice-" + run;
    var bob = "bob-" + run;
    var conversation = "ops-" + run;
    var collection = "ops_" + run;
    TestNodes.withSchema(kafka, cassandra);
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.search.enabled", true,
        "herald.search.solr.base-url", solr.baseUrl(),
        "herald.search.solr.collection", collection));
    var slice = TagSlices.chat(config).tagFor(conversation);

    try (var node = HeraldNode.start(config);
        var aliceClient = WebSocketTestClient.connect(node.httpPort(),
            Tokens.mint(TestNodes.JWT_SECRET, alice, alice + "-phone", Duration.ofMinutes(10)))) {
      WalkingSkeletonTest.awaitReady(node);
      var management = node.managementUri().replaceAll("/$", "");
      acked(aliceClient, ClientFrame.newBuilder().setMessageId("create-" + run).setCreateConversation(
          CreateConversation.newBuilder().setConversationId(conversation).addMemberUserIds(bob)).build());
      for (int i = 0; i < 3; i++) {
        send(aliceClient, "m" + i + "-" + run, conversation, "before the rebuild " + i);
      }
      acked(aliceClient, ClientFrame.newBuilder().setMessageId("remove-" + run).setRemoveMembers(
          RemoveMembers.newBuilder().setConversationId(conversation).addMemberUserIds(bob)).build());
      send(aliceClient, "m3-" + run, conversation, "after bob left");
      // Six tagged events: created, three messages, members changed, one message; the record accounts for the last.
      var solrClient = new SolrHttpClient(solr.baseUrl(), Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          documents(solrClient, collection, conversation).size() == 5
              && documents(solrClient, collection, conversation).get("Conversation|" + conversation + "|members")
                  .path("applied_seq_nr").asLong() > 0
              && messagesFor(documents(solrClient, collection, conversation), bob) == 3);

      // Lag: known, small, and the slice not failing; on /metrics and on the admin endpoint. The handler records its
      // group once Solr has taken it, so Solr may show the documents a moment before the gauge knows of them. The
      // slice (projection and tag, offset included) is shared with the earlier tests of this JVM, so it may first
      // index their events that it had not indexed when their node stopped, minutes old: the gauge rightly shows that
      // lag until it has recorded the group with this test's events (one suite run read 140 s).
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
          ChatSearchTest.metric(management, "herald_projection_events_total", slice) >= 6
              && ChatSearchTest.metric(management, "herald_projection_lag_seconds", slice) < 30);
      var lag = ChatSearchTest.metric(management, "herald_projection_lag_seconds", slice);
      assertTrue(lag >= 0 && lag < 30, "lag of " + slice + ": " + lag);
      assertEquals(0.0, ChatSearchTest.metric(management, "herald_projection_failing", slice));
      var events = ChatSearchTest.metric(management, "herald_projection_events_total", slice);
      assertTrue(events >= 6, "events of " + slice + ": " + events);
      assertEquals(401, get(management + "/admin/projections", null).statusCode());
      var status = json.readTree(get(management + "/admin/projections", TestNodes.ADMIN_TOKEN).body())
          .path("projections").get(0);
      assertEquals("chat-search", status.path("projection").asText());
      assertEquals(false, status.path("slices").path(slice).path("failing").asBoolean(true), status::toString);
      assertTrue(status.path("slices").path(slice).path("lag_seconds").isNumber(), status::toString);

      // Rebuild: refused without the token or for an unknown projection; then the same documents, rewritten.
      var before = documents(solrClient, collection, conversation);
      assertEquals(401, post(management + "/admin/projections/chat-search/rebuild", null).statusCode());
      assertEquals(404, post(management + "/admin/projections/nothing/rebuild", TestNodes.ADMIN_TOKEN).statusCode());
      var tokenFile = Files.writeString(dir.resolve("admin-token"), TestNodes.ADMIN_TOKEN + "\n");
      var rebuilt = OperatorCommandsTest.herald(dir, Map.of(), "projection", "rebuild", "--management-url", management,
          "--admin-token-file", tokenFile.toString());
      assertEquals(0, rebuilt.exit(), rebuilt.toString());
      assertEquals("Rebuilding chat-search from the journal: slices " + TagSlices.chat(config).tags().stream()
          .map(tag -> "\"" + tag + "\"").toList().toString().replace(" ", "") + " read their tags from the start.",
          rebuilt.out().strip(), rebuilt.toString());
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
          withoutVersions(documents(solrClient, collection, conversation)).equals(withoutVersions(before))
              && rewritten(before, documents(solrClient, collection, conversation)));
      var after = documents(solrClient, collection, conversation);
      assertEquals(4, after.values().stream().filter(doc -> doc.path("kind").asText().equals("message")).count(),
          "each message once: " + after.keySet());
      assertEquals(withoutVersions(before), withoutVersions(after), "the same documents, field by field");
    }
  }

  /** The conversation's documents by id, every stored field ({@code _version_} included). */
  private static Map<String, JsonNode> documents(SolrHttpClient solr, String collection, String conversation) {
    var found = new TreeMap<String, JsonNode>();
    solr.select(collection, "q", "*:*", "fq", "conversation_id:\"" + conversation + "\"", "rows", "100", "fl", "*")
        .path("docs").forEach(doc -> found.put(doc.path("id").asText(), doc));
    return found;
  }

  private static long messagesFor(Map<String, JsonNode> documents, String user) {
    return documents.values().stream().filter(doc -> doc.path("kind").asText().equals("message"))
        .filter(doc -> doc.path("members").toString().contains("\"" + user + "\"")).count();
  }

  private static Map<String, JsonNode> withoutVersions(Map<String, JsonNode> documents) {
    var stripped = new TreeMap<String, JsonNode>();
    documents.forEach((id, doc) -> stripped.put(id, ((ObjectNode) doc.deepCopy()).without("_version_")));
    return stripped;
  }

  /** Every document written again since {@code before} (a new version): the rebuild did run. */
  private static boolean rewritten(Map<String, JsonNode> before, Map<String, JsonNode> now) {
    return before.keySet().equals(now.keySet()) && before.keySet().stream().allMatch(id ->
        now.get(id).path("_version_").asLong() > before.get(id).path("_version_").asLong());
  }

  private static void send(WebSocketTestClient client, String messageId, String conversation, String text)
      throws InterruptedException {
    acked(client, ClientFrame.newBuilder().setMessageId(messageId)
        .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText(text)).build());
  }

  /**
   * Sends a frame until it is acked, again after each RETRY_LATER's retry_after_ms, as a client does (a loaded
   * machine's Kafka may answer late); pushes in between are skipped.
   */
  private static void acked(WebSocketTestClient client, ClientFrame frame) throws InterruptedException {
    var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    client.send(frame);
    while (true) {
      var left = deadline - System.nanoTime();
      var answer = left <= 0 ? null : client.receive(Duration.ofNanos(left));
      assertTrue(answer != null, "no ack of " + frame.getMessageId() + " within 60 s");
      if (answer.hasAck() && answer.getAck().getMessageId().equals(frame.getMessageId())) {
        return;
      } else if (answer.hasNack() && answer.getNack().getCode() == NackCode.RETRY_LATER) {
        Thread.sleep(answer.getNack().getRetryAfterMs());
        client.send(frame);
      } else if (!answer.hasPush()) {
        throw new AssertionError(frame.getMessageId() + " answered " + answer);
      }
    }
  }

  private static HttpResponse<String> get(String uri, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(uri)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String uri, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
