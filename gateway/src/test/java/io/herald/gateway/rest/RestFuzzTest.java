package io.herald.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.auth.Tokens;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The REST reads with fuzzed request targets (paths, ids, after_seq, after, limit, any query) and Authorization
 * headers, through the sealed route as a node serves it: every request is answered, within a bound, with one of the
 * statuses the contract names (never 500), and what reaches an entity is what the request asked, within the bounds (0
 * <= after_seq <= 2^53 - 1, an after id of at most 1,024 characters, 1 <= limit <= max-page), for the token's user. A target Pekko HTTP cannot parse is refused by
 * its parser (IllegalUriException: 400 before any route).
 *
 * <p>Every build replays the inputs under
 * src/test/resources/io/herald/gateway/rest/RestFuzzTestInputs (surefire execution "fuzz");
 * {@code -Dherald.fuzz=true} fuzzes for 5 s, with {@code -Dherald.fuzz.long=true} for long (docs/fuzzing.md):
 * {@code mvn -pl gateway test-compile surefire:test@fuzz -Dherald.fuzz=true -Dherald.fuzz.long=true -Dtest=RestFuzzTest}.
 */
class RestFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  private static final String SECRET = "rest-fuzz-test-secret-of-32-bytes-or-more";
  private static final int MAX_PAGE = 200;
  private static final Set<Integer> STATUSES = Set.of(200, 400, 401, 404, 405, 429, 503);
  private static final ActorTestKit testKit = ActorTestKit.create();
  // What the last request asked of an entity.
  private static final AtomicReference<Object> asked = new AtomicReference<>();
  private static final Function<HttpRequest, CompletionStage<HttpResponse>> handler = new RestEndpoint(
      new TokenVerifier(SECRET), new RecordingEntities(),
      new RestSettings(MAX_PAGE, 100, Duration.ofMinutes(10), 1e9, 1_000_000_000, List.of(), Duration.ofMinutes(10)),
      testKit.system().executionContext()).route().seal().handler(testKit.system());

  record ShadowRead(String deviceId, String user) {}

  record HistoryRead(String conversationId, String user, long afterSeq, int limit) {}

  record ConversationsRead(String user, String afterConversationId, int limit) {}

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5s")
  void requestTargetsAndTokens(FuzzedDataProvider data) throws Exception {
    fuzzOnce(data);
  }

  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5m")
  void requestTargetsAndTokensForLong(FuzzedDataProvider data) throws Exception {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) throws Exception {
    String user = "u" + data.consumeString(127);
    boolean signed = data.consumeBoolean();
    String authorization = signed ? "Bearer " + Tokens.mint(SECRET, user, "app", Duration.ofMinutes(5))
        : data.consumeString(256);
    String target = switch (data.consumeInt(0, 3)) {
      case 0 -> "/v1/devices/" + data.consumeString(256) + "/shadow";
      case 1 -> "/v1/conversations/" + data.consumeString(256) + "/messages?" + data.consumeRemainingAsString();
      case 2 -> "/v1/conversations?" + data.consumeRemainingAsString();
      default -> data.consumeRemainingAsString();
    };
    HttpRequest request;
    try {
      request = HttpRequest.GET(target).addHeader(RawHeader.create("Authorization", authorization));
    } catch (IllegalUriException refusedByTheParser) {
      return;
    }
    asked.set(null);
    HttpResponse response;
    try {
      response = handler.apply(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException hang) {
      fail("no answer within 10 s to GET " + target);
      return;
    }
    response.discardEntityBytes(testKit.system());
    int status = response.status().intValue();
    assertTrue(STATUSES.contains(status), () -> status + " for GET " + target);
    Object read = asked.get();
    if (read == null) {
      return;
    }
    assertEquals(200, status, "what reached an entity was answered (found, in the recording entities)");
    assertTrue(signed, "only a signed request reaches an entity");
    if (read instanceof ShadowRead shadow) {
      assertEquals(user, shadow.user());
    } else if (read instanceof ConversationsRead conversations) {
      assertEquals(user, conversations.user());
      assertTrue(conversations.afterConversationId().length() <= RestEndpoint.MAX_AFTER_ID_LENGTH,
          conversations.toString());
      assertTrue(conversations.limit() >= 1 && conversations.limit() <= MAX_PAGE, conversations.toString());
    } else {
      var history = (HistoryRead) read;
      assertEquals(user, history.user());
      assertTrue(history.afterSeq() >= 0 && history.afterSeq() <= RestEndpoint.MAX_AFTER_SEQ, history.toString());
      assertTrue(history.limit() >= 1 && history.limit() <= MAX_PAGE, history.toString());
    }
  }

  /** Entities that answer found at once and remember what they were asked. */
  private static final class RecordingEntities implements EntityQueries {
    @Override
    public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
      asked.set(new ShadowRead(deviceId, requesterUserId));
      return CompletableFuture.completedFuture(DeviceShadow.newBuilder().setFound(true).setDeviceId(deviceId).build());
    }

    @Override
    public CompletionStage<DeviceOwner> owner(String deviceId) {
      throw new AssertionError("REST reads never ask for an owner");
    }

    @Override
    public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq,
        int limit) {
      asked.set(new HistoryRead(conversationId, requesterUserId, afterSeq, limit));
      return CompletableFuture.completedFuture(ConversationHistory.newBuilder().setFound(true).build());
    }

    @Override
    public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
      asked.set(new ConversationsRead(userId, afterConversationId, limit));
      return CompletableFuture.completedFuture(ConversationList.getDefaultInstance());
    }
  }
}
