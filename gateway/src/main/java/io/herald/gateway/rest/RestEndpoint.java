package io.herald.gateway.rest;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.options;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.herald.gateway.GatewayMetrics;
import io.herald.gateway.admission.RateLimit;
import io.herald.gateway.auth.BearerToken;
import io.herald.gateway.auth.DeviceIdentity;
import io.herald.gateway.auth.InvalidTokenException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceShadow;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Age;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The REST reads of the contract, JSON with the Protobuf field names, for the token's user:
 * {@code GET /v1/devices/{id}/shadow}, {@code GET /v1/conversations/{id}/messages?after_seq=N&limit=M} and
 * {@code GET /v1/conversations?after=ID&limit=M} (the user's own conversations, from their User entity). Someone
 * else's device or a conversation the user is not a member of answers 404, like one that does not exist. When the
 * entity does not answer in time, the last answer it gave to the same read (kept bounded, see {@link StaleIfError})
 * is served with {@code "stale": true} and an {@code Age} header; without one, 503 with Retry-After. Each user has a
 * read rate ({@code user-reads-per-second}, a token bucket over all their devices): past it, 429 with Retry-After.
 * Pages of the origins in {@code cors.allowed-origins} may read cross-origin ({@link Cors}).
 */
public final class RestEndpoint {

  private static final JsonFormat.Printer json = JsonFormat.printer().preservingProtoFieldNames()
      .includingDefaultValueFields();

  private final TokenVerifier verifier;
  private final EntityQueries entities;
  private final int maxPage;
  private final StaleIfError<DeviceShadow> shadows;
  private final StaleIfError<ConversationHistory> histories;
  private final StaleIfError<ConversationList> conversationLists;
  private final RateLimit reads;
  private final Cors cors;

  /** The JSON-safe largest integer: an after_seq above it is no sequence number Herald can have given. */
  static final long MAX_AFTER_SEQ = (1L << 53) - 1;

  /** Longer than any conversation id a frame may carry (herald.gateway.validation.max-id-length is in code points). */
  static final int MAX_AFTER_ID_LENGTH = 1024;

  /** What a kept answer answered: whose read, of what, which page. Ids may hold any character, so no string key. */
  record ReadKey(String userId, String resourceId, long afterSeq, int limit) {}
  private final Executor dispatcher;

  /** @param dispatcher runs the continuations of the entities' answers */
  public RestEndpoint(TokenVerifier verifier, EntityQueries entities, RestSettings settings, Executor dispatcher) {
    this.dispatcher = dispatcher;
    this.verifier = verifier;
    this.entities = entities;
    this.maxPage = settings.maxPage();
    this.shadows = new StaleIfError<>(settings.staleMaxEntries(), settings.staleMaxAge(), System::nanoTime);
    this.histories = new StaleIfError<>(settings.staleMaxEntries(), settings.staleMaxAge(), System::nanoTime);
    this.conversationLists = new StaleIfError<>(settings.staleMaxEntries(), settings.staleMaxAge(), System::nanoTime);
    this.cors = new Cors(settings.corsAllowedOrigins(), settings.corsMaxAge());
    this.reads = new RateLimit(settings.userReadsPerSecond(), settings.userReadBurst(), System::nanoTime);
  }

  /** Drops the read buckets of users who have not read for a while (run periodically, with the device buckets). */
  public int forgetFullBuckets() {
    return reads.forgetFullBuckets();
  }

  public Route route() {
    return concat(options(() -> pathPrefix("v1", cors::preflight)), get(() -> cors.allowReads(() -> concat(
        path(segment("v1").slash("devices").slash(segment()).slash("shadow"), deviceId ->
            authenticated(user -> completeWithFuture(answer(entities.shadow(deviceId, user.userId()),
                shadows, new ReadKey(user.userId(), deviceId, 0, 0), DeviceShadow::getFound,
                (shadow, stale) -> ok(shadow.toBuilder().clearFound().setStale(stale)),
                () -> notFound("device " + deviceId + " is not known or not yours"))))),
        path(segment("v1").slash("conversations").slash(segment()).slash("messages"), conversationId ->
            authenticated(user -> parameterOptional("after_seq", afterSeq -> parameterOptional("limit", limit -> {
              long after;
              int size;
              try {
                after = afterSeq.map(Long::parseLong).orElse(0L);
                size = limit.map(Integer::parseInt).orElse(maxPage);
              } catch (NumberFormatException e) {
                return complete(error(StatusCodes.BAD_REQUEST, "after_seq and limit must be numbers"));
              }
              if (after < 0 || after > MAX_AFTER_SEQ || size < 1 || size > maxPage) {
                return complete(error(StatusCodes.BAD_REQUEST,
                    "0 <= after_seq <= " + MAX_AFTER_SEQ + " and 1 <= limit <= " + maxPage));
              }
              return completeWithFuture(answer(entities.history(conversationId, user.userId(), after, size),
                  histories, new ReadKey(user.userId(), conversationId, after, size), ConversationHistory::getFound,
                  (history, stale) -> ok(history.toBuilder().clearFound().setStale(stale)),
                  () -> notFound("conversation " + conversationId + " does not exist or you are not a member")));
            })))),
        path(segment("v1").slash("conversations"), () ->
            authenticated(user -> parameterOptional("after", after -> parameterOptional("limit", limit -> {
              int size;
              try {
                size = limit.map(Integer::parseInt).orElse(maxPage);
              } catch (NumberFormatException e) {
                return complete(error(StatusCodes.BAD_REQUEST, "limit must be a number"));
              }
              var afterId = after.orElse("");
              if (afterId.length() > MAX_AFTER_ID_LENGTH || size < 1 || size > maxPage) {
                return complete(error(StatusCodes.BAD_REQUEST,
                    "after is at most " + MAX_AFTER_ID_LENGTH + " characters and 1 <= limit <= " + maxPage));
              }
              // Found always: a user in no conversation has an empty list.
              return completeWithFuture(answer(entities.conversations(user.userId(), afterId, size),
                  conversationLists, new ReadKey(user.userId(), afterId, 0, size), list -> true,
                  (list, stale) -> ok(list.toBuilder().setStale(stale)), () -> notFound("")));
            }))))))));
  }

  /** The token's user id, within their read rate: the same gate for reads other modules serve (chat search). */
  public Route authenticatedUser(Function<String, Route> inner) {
    return authenticated(user -> inner.apply(user.userId()));
  }

  /** The token's user, within their read rate. */
  private Route authenticated(Function<DeviceIdentity, Route> inner) {
    return extractRequest(request -> onComplete(verifier.authenticate(BearerToken.of(request).orElse(null)), user -> {
      if (user.isFailure()) {
        return complete(error(StatusCodes.UNAUTHORIZED, InvalidTokenException.of(user.failed().get()).getMessage()));
      }
      long retryAfterMs = reads.tryTake(user.get().userId(), 1);
      if (retryAfterMs > 0) {
        GatewayMetrics.readRefused();
        return complete(error(StatusCodes.TOO_MANY_REQUESTS, "more than " + reads.burst() + " reads at once or "
            + reads.ratePerSecond() + " reads/s by this user").addHeader(RetryAfter.create((retryAfterMs + 999) / 1000)));
      }
      return inner.apply(user.get());
    }));
  }

  /**
   * The entity's answer ({@code found}: rendered and kept for stale-if-error; not found: 404), or, when it does not
   * answer, the last one kept for {@code key}, flagged stale, or 503.
   */
  private <T> CompletionStage<HttpResponse> answer(CompletionStage<T> query, StaleIfError<T> kept, ReadKey key,
      Predicate<T> found, BiFunction<T, Boolean, HttpResponse> render, Supplier<HttpResponse> notFound) {
    return query.handleAsync((answer, failure) -> {
      if (failure == null && !couldNotRead(answer)) {
        if (!found.test(answer)) {
          return notFound.get();
        }
        kept.keep(key, answer);
        return render.apply(answer, false);
      }
      return kept.lastGood(key)
          .map(stale -> {
            GatewayMetrics.staleRead();
            return render.apply(stale.answer(), true).addHeader(Age.create(Math.max(0, stale.age().toSeconds())));
          })
          .orElseGet(() -> {
            var retry = HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE).addHeader(RetryAfter.create(1L));
            return withJson(retry, "{\"error\":\"entity did not answer in time, retry later\"}");
          });
    }, dispatcher);
  }

  /** The entity answered that it could not read what was asked (its journal failed): served as if it had not answered. */
  private static boolean couldNotRead(Object answer) {
    return answer instanceof ConversationHistory history && history.getReadFailed();
  }

  private static HttpResponse ok(MessageOrBuilder message) {
    try {
      return withJson(HttpResponse.create(), json.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse notFound(String detail) {
    return error(StatusCodes.NOT_FOUND, detail);
  }

  private static HttpResponse error(StatusCode status, String detail) {
    var escaped = detail.replace("\\", "\\\\").replace("\"", "\\\"");
    return withJson(HttpResponse.create().withStatus(status), "{\"error\":\"" + escaped + "\"}");
  }

  private static HttpResponse withJson(HttpResponse response, String body) {
    return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

}
