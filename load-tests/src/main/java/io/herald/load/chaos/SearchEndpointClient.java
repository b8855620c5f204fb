package io.herald.load.chaos;

import io.herald.load.sim.DaemonThreads;
import io.herald.load.sim.DeviceTokens;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /v1/search/messages} on the chaos cluster's nodes, as a member's app calls it: a bearer token minted
 * from the cluster's secret for the user asking.
 */
final class SearchEndpointClient implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration TOKEN_TTL = Duration.ofHours(1);

  /** One answer: status, Retry-After if any, body (a connection that failed is status 0, its error the body). */
  record Answer(int status, Optional<String> retryAfter, String body) {}

  private final List<URI> nodes;
  private final String jwtSecret;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newFixedThreadPool(2, DaemonThreads.named("herald-chaos-search"));
  private final HttpClient http = HttpClient.newBuilder().executor(threads).connectTimeout(TIMEOUT).build();

  /** @param nodes each node's HTTP base, e.g. {@code http://127.0.0.1:8080} */
  SearchEndpointClient(List<URI> nodes, String jwtSecret) {
    this.nodes = List.copyOf(nodes);
    this.jwtSecret = jwtSecret;
  }

  int nodeCount() {
    return nodes.size();
  }

  /** Searches on node {@code node} as {@code userId}. */
  Answer search(int node, String userId, Map<String, String> params) throws InterruptedException {
    var query = new StringBuilder();
    params.forEach((name, value) -> query.append(query.length() == 0 ? '?' : '&').append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    var token = tokens.computeIfAbsent(userId, user -> DeviceTokens.mint(jwtSecret, user, user + "-search", TOKEN_TTL));
    var request = HttpRequest.newBuilder(nodes.get(node).resolve("/v1/search/messages" + query)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token).GET().build();
    try {
      var response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers().firstValue("Retry-After"), response.body());
    } catch (IOException e) {
      return new Answer(0, Optional.empty(), e.toString());
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
