package io.herald.search;

import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.infra.solr.SolrHttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/search/messages?q=&conversation_id=&from=&to=&limit=} (docs/contract.md): the caller's messages
 * whose text holds every word of {@code q}, newest first, from the conversations they were a member of when each
 * message was sent. Bad parameters: 400 with {@code {"error": ...}}. Solr unavailable, or too many searches waiting
 * for it: 503 with Retry-After, never a partial or empty answer.
 */
final class SearchEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON-safe largest integer: no time Herald stamps is above it. */
  static final long MAX_TIME_MS = (1L << 53) - 1;

  private final SolrHttpClient solr;
  private final String collection;
  private final SearchSettings.QueryLimits limits;
  private final Executor solrDispatcher;
  private final BoundedReads reads;

  SearchEndpoint(SolrHttpClient solr, String collection, SearchSettings.QueryLimits limits, Executor solrDispatcher) {
    this.solr = solr;
    this.collection = collection;
    this.limits = limits;
    this.solrDispatcher = solrDispatcher;
    this.reads = new BoundedReads("searches", limits.maxInFlight(), limits.retryAfter(), solrDispatcher);
  }

  /** A valid search: the words, and the filters. */
  record Query(List<String> terms, String conversationId, long fromMs, long toMs, int limit) {}

  Route route(Function<Function<String, Route>, Route> authenticated) {
    return get(() -> path(segment("v1").slash("search").slash("messages"), () ->
        authenticated.apply(userId -> parameterMap(params -> reads.answer(() -> parse(params, limits),
            // Solr's call blocks: on the search dispatcher, where the answer is made too.
            query -> CompletableFuture.supplyAsync(() -> search(userId, query), solrDispatcher))))));
  }

  /** Validates the parameters; the message says which one is wrong and what is allowed. */
  static Query parse(Map<String, String> params, SearchSettings.QueryLimits limits) {
    var q = params.getOrDefault("q", "").strip();
    if (q.isEmpty() || q.length() > limits.maxQueryLength()) {
      throw new IllegalArgumentException("q must hold 1 to " + limits.maxQueryLength() + " characters");
    }
    var terms = Arrays.stream(q.split("\\s+")).filter(term -> !term.isEmpty()).toList();
    if (terms.size() > limits.maxTerms()) {
      throw new IllegalArgumentException("q may hold at most " + limits.maxTerms() + " words");
    }
    var conversationId = params.get("conversation_id");
    if (conversationId != null && (conversationId.isEmpty()
        || conversationId.length() > limits.maxConversationIdLength())) {
      throw new IllegalArgumentException("conversation_id must hold 1 to " + limits.maxConversationIdLength()
          + " characters");
    }
    long from = time(params, "from", 0);
    long to = time(params, "to", MAX_TIME_MS);
    if (from > to) {
      throw new IllegalArgumentException("from must not be after to");
    }
    int limit;
    try {
      limit = params.containsKey("limit") ? Integer.parseInt(params.get("limit")) : limits.defaultLimit();
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > limits.maxLimit()) {
      throw new IllegalArgumentException("limit must be a number from 1 to " + limits.maxLimit());
    }
    return new Query(terms, conversationId, from, to, limit);
  }

  private static long time(Map<String, String> params, String name, long absent) {
    if (!params.containsKey(name)) {
      return absent;
    }
    try {
      long value = Long.parseLong(params.get(name));
      if (value >= 0 && value <= MAX_TIME_MS) {
        return value;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(name + " must be epoch milliseconds from 0 to " + MAX_TIME_MS);
  }

  /** Solr's parameters: every word must occur in the text; only messages whose members hold the caller. */
  static List<String> solrParams(String userId, Query query) {
    var params = new ArrayList<>(List.of(
        // Each word a quoted phrase: nothing the user types is Solr query syntax.
        "q", String.join(" ", query.terms().stream().map(SearchEndpoint::quoted).toList()),
        "df", "text", "q.op", "AND",
        "fq", "kind:message",
        "fq", "members:" + quoted(userId),
        "fq", "at_ms:[" + query.fromMs() + " TO " + query.toMs() + "]",
        "sort", "at_ms desc,id asc",
        "rows", Integer.toString(query.limit()),
        "fl", "conversation_id,message_id,conversation_seq,sender,text,at_ms"));
    if (query.conversationId() != null) {
      params.addAll(List.of("fq", "conversation_id:" + quoted(query.conversationId())));
    }
    return params;
  }

  static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private HttpResponse search(String userId, Query query) {
    return reads.solrSelect(() -> solr.select(collection, solrParams(userId, query).toArray(String[]::new)),
        found -> render(found, limits.maxResultBytes()));
  }

  /** Solr's documents as the contract's messages, at most maxResultBytes of text. */
  static ObjectNode render(JsonNode found, long maxResultBytes) {
    var answer = JSON.createObjectNode();
    var messages = answer.putArray("messages");
    long bytes = 0;
    boolean truncated = false;
    for (var doc : found.path("docs")) {
      var text = doc.path("text").asText("");
      bytes += text.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxResultBytes && !messages.isEmpty()) {
        truncated = true;
        break;
      }
      var message = messages.addObject();
      message.put("conversation_id", doc.path("conversation_id").asText());
      message.put("message_id", doc.path("message_id").asText());
      message.put("conversation_seq", doc.path("conversation_seq").asLong());
      message.put("sender_user_id", doc.path("sender").asText());
      message.put("text", text);
      message.put("at_ms", doc.path("at_ms").asLong());
    }
    answer.put("found", found.path("numFound").asLong());
    answer.put("truncated", truncated);
    return answer;
  }
}
