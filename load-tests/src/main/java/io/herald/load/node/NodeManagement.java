package io.herald.load.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * What a node says about itself on its management port: its Prometheus {@code /metrics} and Pekko Management's
 * {@code /cluster/shards/TYPE} (entities alive per shard of this node's region), both open to read.
 */
public final class NodeManagement {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final HttpClient http;

  public NodeManagement(URI base, HttpClient http) {
    this.base = base;
    this.http = http;
  }

  /** Entities of {@code type} ({@code Device}, {@code User}, {@code Conversation}) alive on this node now. */
  public long entities(String type) {
    return entityCount(get("/cluster/shards/" + type));
  }

  /** The node's Prometheus text, to read several samples of one moment from. */
  public String metrics() {
    return get("/metrics");
  }

  /** Ingress records the node's entities applied, so far. */
  public long appliedRecords() {
    return (long) sum(metrics(), "herald_ingest_records_total", Map.of("outcome", "applied"));
  }

  private String get(String path) {
    var request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new NodeProcessException("the node's management port answered " + response.statusCode() + " to GET "
            + request.uri());
      }
      return response.body();
    } catch (IOException e) {
      throw new NodeProcessException("cannot reach the node's management port at " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeProcessException("interrupted while asking " + request.uri(), e);
    }
  }

  /** The sum of {@code numEntities} over the regions of a {@code /cluster/shards/TYPE} answer. */
  static long entityCount(String shardsJson) {
    JsonNode regions;
    try {
      regions = JSON.readTree(shardsJson).path("regions");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a /cluster/shards answer: " + shardsJson, e);
    }
    if (!regions.isArray()) {
      throw new IllegalArgumentException("not a /cluster/shards answer (no regions): " + shardsJson);
    }
    long count = 0;
    for (JsonNode shard : regions) {
      count += shard.path("numEntities").asLong();
    }
    return count;
  }

  /**
   * The sum of the samples of {@code name} whose labels include {@code labels} (0 when there is none), from
   * Prometheus text: {@code name{a="x",b="y"} value} or {@code name value}, one per line.
   */
  public static double sum(String prometheusText, String name, Map<String, String> labels) {
    double total = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String sampleName = brace > 0 ? line.substring(0, brace) : line.substring(0, Math.max(0, space));
      if (!sampleName.equals(name)) {
        continue;
      }
      String labelList = "," + (brace > 0 ? line.substring(brace + 1, line.lastIndexOf('}')) : "") + ",";
      if (labels.entrySet().stream().allMatch(label -> labelList.contains("," + label.getKey() + "=\""
          + label.getValue() + "\","))) {
        total += Double.parseDouble(line.substring(space + 1));
      }
    }
    return total;
  }
}
