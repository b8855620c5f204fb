package io.herald.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.auth.Tokens;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.ConversationSummary;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST reads over real HTTP, against entities whose answers the test decides. */
class RestEndpointTest {

  private static final String SECRET = "rest-endpoint-test-secret-of-32-bytes-or-more";
  private static final String APP_ORIGIN = "https://app.example.com";
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final AtomicReference<CompletionStage<DeviceShadow>> nextShadow = new AtomicReference<>();
  private static final AtomicReference<CompletionStage<ConversationHistory>> nextHistory = new AtomicReference<>(
      CompletableFuture.failedFuture(new EntityQueries.NoEntitiesException()));
  private static final HttpClient http = HttpClient.newHttpClient();
  private static ServerBinding binding;

  @BeforeAll
  static void start() throws Exception {
    var endpoint = new RestEndpoint(new TokenVerifier(SECRET), new ControlledEntities(),
        new RestSettings(200, 100, Duration.ofMinutes(10), 0.1, 5, List.of(APP_ORIGIN), Duration.ofMinutes(10)),
        testKit.system().executionContext());
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(endpoint.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    binding.unbind();
    testKit.shutdownTestKit();
  }

  @Test
  void whenTheEntityDoesNotAnswerTheLastGoodShadowIsServedFlaggedStale() throws Exception {
    nextShadow.set(CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(true).setDeviceId("d-1")
        .putReported("fw", "1.2").setVersion(3).build()));
    var fresh = get("/v1/devices/d-1/shadow", "alice");
    assertEquals(200, fresh.statusCode());
    assertTrue(fresh.body().contains("\"stale\": false"), fresh.body());

    nextShadow.set(CompletableFuture.failedFuture(new TimeoutException("the Device entity did not answer")));
    var stale = get("/v1/devices/d-1/shadow", "alice");
    assertEquals(200, stale.statusCode());
    assertTrue(stale.body().contains("\"stale\": true"), stale.body());
    assertTrue(stale.body().contains("\"fw\": \"1.2\""), stale.body());
    assertTrue(stale.headers().firstValue("Age").isPresent(), "the answer says how old it is");

    // Nothing was kept for another user's read of it: no answer to fall back on.
    var never = get("/v1/devices/d-1/shadow", "bob");
    assertEquals(503, never.statusCode());
    assertEquals("1", never.headers().firstValue("Retry-After").orElseThrow());
  }

  @Test
  void aHistoryPageTheEntityCouldNotReadIsServedAsIfItHadNotAnswered() throws Exception {
    nextHistory.set(CompletableFuture.completedFuture(ConversationHistory.newBuilder().setFound(true)
        .setConversationId("c-1").setLastSeq(1).addMessages(ChatMessage.newBuilder().setConversationSeq(1)
            .setText("kept")).build()));
    assertEquals(200, get("/v1/conversations/c-1/messages?after_seq=0&limit=10", "alice").statusCode());

    var couldNotRead = CompletableFuture.completedFuture(ConversationHistory.newBuilder().setFound(true)
        .setConversationId("c-1").setLastSeq(1).setReadFailed(true).build());
    nextHistory.set(couldNotRead);
    var stale = get("/v1/conversations/c-1/messages?after_seq=0&limit=10", "alice");
    assertEquals(200, stale.statusCode());
    assertTrue(stale.body().contains("\"stale\": true") && stale.body().contains("kept"), stale.body());
    // Nothing kept for this read: not an empty page, a 503 to ask again.
    var never = get("/v1/conversations/c-1/messages?after_seq=0&limit=10", "bob");
    assertEquals(503, never.statusCode(), never.body());
  }

  @Test
  void aNotFoundAnswerIsNotKept() throws Exception {
    nextShadow.set(CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(false).build()));
    assertEquals(404, get("/v1/devices/d-2/shadow", "carol").statusCode());

    nextShadow.set(CompletableFuture.failedFuture(new TimeoutException("the Device entity did not answer")));
    assertEquals(503, get("/v1/devices/d-2/shadow", "carol").statusCode());
  }

  @Test
  void aUserPastTheirReadRateGets429WithRetryAfterAndOtherUsersStillRead() throws Exception {
    nextShadow.set(CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(true).setDeviceId("d-3").build()));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get("/v1/devices/d-3/shadow", "dave").statusCode(), "within the burst of 5");
    }
    var refused = get("/v1/devices/d-3/shadow", "dave");
    assertEquals(429, refused.statusCode());
    assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1, refused.headers().map().toString());
    assertTrue(refused.body().contains("reads/s by this user"), refused.body());
    assertEquals(200, get("/v1/devices/d-3/shadow", "erin").statusCode(), "another user's reads are their own");
  }

  @Test
  void aKeptAnswerIsNeverServedToAnotherUserWhateverTheIdsHold() throws Exception {
    // As strings "user/device", mallory/x's read of d and mallory's read of x/d would be the same key.
    nextShadow.set(CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(true).setDeviceId("d")
        .putReported("secret", "of mallory/x").build()));
    assertEquals(200, get("/v1/devices/d/shadow", "mallory/x").statusCode());
    nextShadow.set(CompletableFuture.failedFuture(new TimeoutException("the Device entity did not answer")));
    var other = get("/v1/devices/x%2Fd/shadow", "mallory");
    assertEquals(503, other.statusCode(), other.body());
  }

  @Test
  void anAfterSeqNoSequenceCouldReachIsABadRequest() throws Exception {
    var tooFar = get("/v1/conversations/c-1/messages?after_seq=" + Long.MAX_VALUE, "frank");
    assertEquals(400, tooFar.statusCode());
    assertTrue(tooFar.body().contains("after_seq <= " + RestEndpoint.MAX_AFTER_SEQ), tooFar.body());
  }

  @Test
  void theConversationListIsTheCallersOwnPagedAndBounded() throws Exception {
    // Five reads: the burst of this test's read rate.
    var mine = get("/v1/conversations?after=c-9&limit=2", "grace");
    assertEquals(200, mine.statusCode(), mine.body());
    assertTrue(mine.body().contains("\"conversation_id\": \"of-grace-after-c-9-2\""), mine.body());
    assertTrue(mine.body().contains("\"stale\": false"), mine.body());
    for (var bad : List.of("?limit=0", "?limit=x", "?limit=201", "?after=" + "c".repeat(1025))) {
      var refused = get("/v1/conversations" + bad, "grace");
      assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
    }
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredAndOthersAreRefused() throws Exception {
    var allowed = preflight(APP_ORIGIN, "GET", "authorization");
    assertEquals(204, allowed.statusCode());
    assertEquals(APP_ORIGIN, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals("GET", allowed.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
    assertEquals("Authorization", allowed.headers().firstValue("Access-Control-Allow-Headers").orElse(""));
    assertEquals("600", allowed.headers().firstValue("Access-Control-Max-Age").orElse(""));

    for (var refused : List.of(preflight("https://evil.example.com", "GET", "authorization"),
        preflight(APP_ORIGIN, "DELETE", "authorization"), preflight(APP_ORIGIN, "GET", "authorization, x-custom"))) {
      assertEquals(403, refused.statusCode());
      assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), refused.headers().toString());
    }
  }

  @Test
  void anAllowedOriginMayReadAnswersAndRefusalsAnotherMayNot() throws Exception {
    nextShadow.set(CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(true).setDeviceId("d-4").build()));
    var read = get("/v1/devices/d-4/shadow", "heidi", APP_ORIGIN, true);
    assertEquals(200, read.statusCode());
    assertEquals(APP_ORIGIN, read.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals("Retry-After, Age", read.headers().firstValue("Access-Control-Expose-Headers").orElse(""));

    var unauthenticated = get("/v1/devices/d-4/shadow", "heidi", APP_ORIGIN, false);
    assertEquals(401, unauthenticated.statusCode());
    assertEquals(APP_ORIGIN, unauthenticated.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
        "a page can read why it was refused");

    var elsewhere = get("/v1/devices/d-4/shadow", "heidi", "https://evil.example.com", true);
    assertEquals(200, elsewhere.statusCode());
    assertTrue(elsewhere.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "the browser hides it");
  }

  @Test
  void noOriginIsAllowedByDefault() {
    var defaults = RestSettings.fromConfig(ConfigFactory.load().getConfig("herald.gateway"));
    assertEquals(List.of(), defaults.corsAllowedOrigins());
  }

  private static HttpResponse<String> preflight(String origin, String method, String headers) throws Exception {
    var uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/v1/devices/d-1/shadow");
    return http.send(HttpRequest.newBuilder(uri).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin).header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String user, String origin, boolean signed) throws Exception {
    var uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
    var request = HttpRequest.newBuilder(uri).header("Origin", origin);
    if (signed) {
      request.header("Authorization", "Bearer " + Tokens.mint(SECRET, user, "app", Duration.ofMinutes(5)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String user) throws Exception {
    var token = Tokens.mint(SECRET, user, "app", Duration.ofMinutes(5));
    var uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
    return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static final class ControlledEntities implements EntityQueries {
    @Override
    public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
      return nextShadow.get();
    }

    @Override
    public CompletionStage<DeviceOwner> owner(String deviceId) {
      return CompletableFuture.failedFuture(new NoEntitiesException());
    }

    @Override
    public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq,
        int limit) {
      return nextHistory.get();
    }

    /** The User entity of the user asked for: one conversation named after that user and the page asked for. */
    @Override
    public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
      return CompletableFuture.completedFuture(ConversationList.newBuilder().addConversations(ConversationSummary
          .newBuilder().setConversationId("of-" + userId + "-after-" + afterConversationId + "-" + limit)).build());
    }
  }
}
