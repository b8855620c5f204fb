package io.herald.search;

import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.herald.infra.solr.SolrHttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/devices?q=reported.fw:1.2*&online=true&limit=} (docs/contract.md): the caller's devices whose
 * properties match every clause of {@code q} ({@code reported.<key>:<value>} or {@code desired.<key>:<value>}, the
 * value exact or, ending in {@code *}, a prefix) and, with {@code online}, whose presence is that; by device id. Only
 * the caller's own devices, whatever the query. Bad parameters: 400; Solr unavailable or too many searches: 503 with
 * Retry-After, as chat search.
 */
final class DeviceSearchEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FIELD = Pattern.compile("(reported|desired)\\.[A-Za-z0-9_.\\-]{1,128}");

  /** herald.search.devices.query */
  record Limits(int maxQueryLength, int maxClauses, int defaultLimit, int maxLimit) {
    static Limits fromConfig(Config config) {
      var query = config.getConfig("herald.search.devices.query");
      var limits = new Limits(query.getInt("max-query-length"), query.getInt("max-clauses"),
          query.getInt("default-limit"), query.getInt("max-limit"));
      if (limits.defaultLimit() < 1 || limits.defaultLimit() > limits.maxLimit() || limits.maxClauses() < 1
          || limits.maxQueryLength() < 1) {
        throw new IllegalArgumentException("herald.search.devices.query: 1 <= default-limit <= max-limit, and "
            + "max-clauses and max-query-length at least 1");
      }
      return limits;
    }
  }

  /** One clause: the field, the value, and whether the value is a prefix. */
  record Clause(String field, String value, boolean prefix) {}

  /** A valid device search. */
  record Query(List<Clause> clauses, Optional<Boolean> online, int limit) {}

  private final SolrHttpClient solr;
  private final String collection;
  private final Limits limits;
  private final SearchSettings.QueryLimits searchLimits;
  private final Executor solrDispatcher;
  private final BoundedReads reads;

  DeviceSearchEndpoint(SolrHttpClient solr, String collection, Limits limits, SearchSettings.QueryLimits searchLimits,
      Executor solrDispatcher) {
    this.solr = solr;
    this.collection = collection;
    this.limits = limits;
    this.searchLimits = searchLimits;
    this.solrDispatcher = solrDispatcher;
    this.reads = new BoundedReads("searches", searchLimits.maxInFlight(), searchLimits.retryAfter(), solrDispatcher);
  }

  Route route(Function<Function<String, Route>, Route> authenticated) {
    return get(() -> path(segment("v1").slash("devices"), () ->
        authenticated.apply(userId -> parameterMap(params -> reads.answer(() -> parse(params, limits),
            // Solr's call blocks: on the search dispatcher, where the answer is made too.
            query -> CompletableFuture.supplyAsync(() -> search(userId, query), solrDispatcher))))));
  }

  /** Validates the parameters; the message says which one is wrong and what is allowed. */
  static Query parse(Map<String, String> params, Limits limits) {
    var q = params.getOrDefault("q", "").strip();
    if (q.length() > limits.maxQueryLength()) {
      throw new IllegalArgumentException("q must hold at most " + limits.maxQueryLength() + " characters");
    }
    var clauses = new ArrayList<Clause>();
    for (var word : q.isEmpty() ? new String[0] : q.split("\\s+")) {
      int colon = word.indexOf(':');
      var field = colon < 0 ? "" : word.substring(0, colon);
      var value = colon < 0 ? "" : word.substring(colon + 1);
      boolean prefix = value.endsWith("*");
      var literal = prefix ? value.substring(0, value.length() - 1) : value;
      if (!FIELD.matcher(field).matches() || literal.isEmpty() || literal.contains("*")) {
        throw new IllegalArgumentException("q is clauses reported.<key>:<value> or desired.<key>:<value>, a key of "
            + "letters, digits, _ . and -, a value ending in * for a prefix: not '" + word + "'");
      }
      clauses.add(new Clause(field, literal, prefix));
    }
    if (clauses.size() > limits.maxClauses()) {
      throw new IllegalArgumentException("q must hold at most " + limits.maxClauses() + " clauses");
    }
    Optional<Boolean> online = Optional.empty();
    if (params.containsKey("online")) {
      var value = params.get("online");
      if (!value.equals("true") && !value.equals("false")) {
        throw new IllegalArgumentException("online must be true or false");
      }
      online = Optional.of(Boolean.parseBoolean(value));
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
    return new Query(List.copyOf(clauses), online, limit);
  }

  /** Solr's parameters: every clause must match; only the caller's devices. Nothing the user typed is syntax. */
  static List<String> solrParams(String userId, Query query) {
    var clauses = query.clauses().stream().map(clause -> clause.field() + ":"
        + (clause.prefix() ? escaped(clause.value()) + "*" : SearchEndpoint.quoted(clause.value()))).toList();
    var params = new ArrayList<>(List.of(
        "q", clauses.isEmpty() ? "*:*" : String.join(" AND ", clauses),
        "fq", "owner:" + SearchEndpoint.quoted(userId),
        "sort", "id asc",
        "rows", Integer.toString(query.limit()),
        "fl", "id,online,reported.*,desired.*"));
    query.online().ifPresent(online -> params.addAll(List.of("fq", "online:" + online)));
    return params;
  }

  /** Every character but letters and digits escaped: a prefix term with no query syntax in it. */
  static String escaped(String value) {
    var out = new StringBuilder();
    value.codePoints().forEach(c -> {
      if (!Character.isLetterOrDigit(c)) {
        out.append('\\');
      }
      out.appendCodePoint(c);
    });
    return out.toString();
  }

  private HttpResponse search(String userId, Query query) {
    return reads.solrSelect(() -> solr.select(collection, solrParams(userId, query).toArray(String[]::new)),
        DeviceSearchEndpoint::render);
  }

  /** Solr's documents as the contract's devices. */
  static ObjectNode render(JsonNode found) {
    var answer = JSON.createObjectNode();
    var devices = answer.putArray("devices");
    for (var doc : found.path("docs")) {
      var device = devices.addObject();
      device.put("device_id", doc.path("id").asText());
      device.put("online", doc.path("online").asBoolean());
      var reported = device.putObject("reported");
      var desired = device.putObject("desired");
      doc.fields().forEachRemaining(field -> {
        if (field.getKey().startsWith(DeviceDocuments.REPORTED)) {
          reported.put(field.getKey().substring(DeviceDocuments.REPORTED.length()), field.getValue().asText());
        } else if (field.getKey().startsWith(DeviceDocuments.DESIRED)) {
          desired.put(field.getKey().substring(DeviceDocuments.DESIRED.length()), field.getValue().asText());
        }
      });
    }
    answer.put("found", found.path("numFound").asLong());
    return answer;
  }
}
