package io.herald.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The operator commands' side of a node's management port ({@code herald status | dead-letters | drain}): its
 * endpoints over HTTP, the JSON they answer parsed with Jackson. A node that does not answer, refuses the admin token
 * or fails the call is an {@link OperatorCallFailed} with a one-line reason.
 */
final class ManagementClient {

  /** Thrown with the sentence the command prints: the node is unreachable, refused, or failed the call. */
  static final class OperatorCallFailed extends RuntimeException {
    OperatorCallFailed(String message) {
      super(message);
    }
  }

  static final String ADMIN_TOKEN_VARIABLE = "HERALD_ADMIN_TOKEN";
  private static final ObjectMapper json = new ObjectMapper();
  /** Dead-letter calls read Kafka for up to 10 s on the node (DeadLetterAdmin), then replay: room for both. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  /** The most of a refusal's body a one-line message quotes. */
  private static final int QUOTED_BODY_CHARS = 200;
  private static final List<String> SHARDED_TYPES = List.of("User", "Device", "Conversation");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Optional<String> adminToken;

  /** A client without the admin token: reading only (status). */
  ManagementClient(String managementUrl) {
    this(managementUrl, Optional.empty());
  }

  ManagementClient(String managementUrl, Optional<String> adminToken) {
    this.base = managementUrl.replaceAll("/+$", "");
    this.adminToken = adminToken;
  }

  /**
   * The admin token from {@code HERALD_ADMIN_TOKEN}, else from the file (herald up writes one): never from the
   * command line, where {@code ps} and the shell's history would show it.
   */
  static String adminToken(Optional<String> variable, Path file) {
    if (variable.isPresent() && !variable.get().isBlank()) {
      return variable.get().trim();
    }
    try {
      var token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!token.isEmpty()) {
        return token;
      }
    } catch (IOException unreadable) {
      // said below
    }
    throw new OperatorCallFailed("no admin token: set " + ADMIN_TOKEN_VARIABLE + " or pass --admin-token-file ("
        + file + " is missing or empty)");
  }

  /**
   * Members, shards per region, consumer lag, breaker and degradation state and the read side's lag, as the node
   * sees them, under the heading (if any), which is printed once the node answered.
   */
  void printStatus(PrintWriter out, Optional<String> heading) {
    var members = get("/cluster/members");
    heading.ifPresent(out::println);
    out.println("  self " + members.path("selfNode").asText() + ", leader " + members.path("leader").asText("none"));
    members.path("members").forEach(member -> out.println("  member " + member.path("node").asText() + " "
        + member.path("status").asText() + " " + member.path("roles")));
    members.path("unreachable").forEach(unreachable -> out.println("  unreachable " + unreachable.path("node").asText()
        + " (observed by " + unreachable.path("observedBy") + ")"));
    for (var type : SHARDED_TYPES) {
      var response = send(request("/cluster/shards/" + type).GET());
      if (response.statusCode() != 200) {
        out.println("  " + type + " shards: none here (HTTP " + response.statusCode() + ")");
        continue;
      }
      var perRegion = new StringBuilder("  " + type + " shards per region:");
      parse(response).path("regions").forEach(region -> perRegion.append(' ').append(region.path("shards").size()));
      out.println(perRegion);
    }
    text("/metrics").lines()
        .filter(line -> line.startsWith("herald_kafka_consumer_lag{") || line.startsWith("herald_gateway_kafka_breaker_state")
            || line.startsWith("herald_gateway_degradation_mode{") && line.endsWith(" 1.0")
            || line.startsWith("herald_projection_lag_seconds{") || line.startsWith("herald_projection_failing{"))
        .forEach(line -> out.println("  " + line));
    out.flush();
  }

  JsonNode get(String path) {
    return parse(call("GET", path, request(path).GET()));
  }

  JsonNode post(String path) {
    return parse(call("POST", path, request(path).POST(HttpRequest.BodyPublishers.noBody())));
  }

  /** A form PUT, as Pekko Management's cluster routes take their operations. */
  JsonNode putForm(String path, String field, String value) {
    var form = field + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    return parse(call("PUT", path, request(path).header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString(form))));
  }

  private String text(String path) {
    return call("GET", path, request(path).GET()).body();
  }

  private HttpRequest.Builder request(String path) {
    var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL_TIMEOUT);
    adminToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
    return request;
  }

  private HttpResponse<String> call(String method, String path, HttpRequest.Builder request) {
    var response = send(request);
    if (response.statusCode() == 401) {
      throw new OperatorCallFailed("the node at " + base + " refused the admin token (401): " + quote(response.body()));
    }
    if (response.statusCode() / 100 != 2) {
      throw new OperatorCallFailed("the node at " + base + " answered " + method + " " + path + " with HTTP "
          + response.statusCode() + ": " + quote(response.body()));
    }
    return response;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new OperatorCallFailed("no node answers at " + base + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): is it running, is --management-url right?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperatorCallFailed("interrupted while calling " + base);
    }
  }

  private JsonNode parse(HttpResponse<String> response) {
    try {
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new OperatorCallFailed("the node at " + base + " answered " + response.request().uri().getPath()
          + " with something other than JSON: " + quote(response.body()));
    }
  }

  /** A body as part of a one-line message: its first line, bounded. */
  private static String quote(String body) {
    var line = body.strip().lines().findFirst().orElse("(no body)");
    return line.length() <= QUOTED_BODY_CHARS ? line : line.substring(0, QUOTED_BODY_CHARS) + "...";
  }
}
