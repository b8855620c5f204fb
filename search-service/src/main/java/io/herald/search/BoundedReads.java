package io.herald.search;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.infra.solr.SolrRequestException;
import io.herald.infra.solr.SolrUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the read side's endpoints answer (message search, device search, telemetry reports): parameters checked first
 * ({@code 400} saying which is wrong), at most {@code maxInFlight} reads waiting for Solr or Cassandra per node (past
 * it, {@code 503} with {@code Retry-After}, at once), a read that fails answered {@code 503} too, and every answer a
 * JSON object. The answer is made on {@code executor} (a Pekko or search dispatcher), never on the JDK's default one.
 */
public final class BoundedReads {

  private static final Logger log = LoggerFactory.getLogger(BoundedReads.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String what;
  private final Semaphore inFlight;
  private final Duration retryAfter;
  private final Executor executor;

  /** {@code what}: the reads' name in answers and logs, e.g. "searches". */
  public BoundedReads(String what, int maxInFlight, Duration retryAfter, Executor executor) {
    this.what = what;
    this.inFlight = new Semaphore(maxInFlight);
    this.retryAfter = retryAfter;
    this.executor = executor;
  }

  /**
   * {@code parse} validates the request (an {@link IllegalArgumentException} is its {@code 400}); {@code read} starts
   * the read, whose stage may complete anywhere: the answer is made on the executor.
   */
  public <Q> Route answer(Supplier<Q> parse, Function<Q, CompletionStage<HttpResponse>> read) {
    Q query;
    try {
      query = parse.get();
    } catch (IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    if (!inFlight.tryAcquire()) {
      return complete(unavailable("too many " + what + " at once, retry later"));
    }
    CompletionStage<HttpResponse> response;
    try {
      response = read.apply(query);
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    return completeWithFuture(response.handleAsync((answer, failure) -> {
      inFlight.release();
      if (failure != null) {
        log.warn("{} failed: {}", what, failure.toString());
        return unavailable(what + " unavailable, retry later");
      }
      return answer;
    }, executor));
  }

  /**
   * A Solr query answered: {@code render} of what Solr found; Solr down: {@code 503}; the collection not created yet
   * (the projection creates it): {@code 503}; any other refusal is Herald's bug: {@code 500}, logged.
   */
  public HttpResponse solrSelect(Supplier<JsonNode> select,
      Function<JsonNode, ObjectNode> render) {
    JsonNode found;
    try {
      found = select.get();
    } catch (SolrUnavailableException e) {
      log.warn("{} refused, Solr unavailable: {}", what, e.getMessage());
      return unavailable("search is unavailable, retry later");
    } catch (SolrRequestException e) {
      if (e.status() == 404) {
        return unavailable("search is not ready yet, retry later");
      }
      log.error("Solr refused one of the {}: {}", what, e.getMessage());
      return error(StatusCodes.INTERNAL_SERVER_ERROR, "search failed");
    }
    return ok(render.apply(found));
  }

  /** {@code 503} with this endpoint's {@code Retry-After}. */
  public HttpResponse unavailable(String detail) {
    return error(StatusCodes.SERVICE_UNAVAILABLE, detail)
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  public static HttpResponse ok(ObjectNode body) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  /** {@code {"error": detail}} with the status. */
  public static HttpResponse error(StatusCode status, String detail) {
    var body = JSON.createObjectNode().put("error", detail);
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
