package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.persistence.TagSlices;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.events.v1.TelemetryRecorded;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Telemetry reports on real Kafka and Cassandra, through one node: readings produced into herald.ingress (as the
 * gateway produces them, with receive times spread over the last 20 hours) are applied by the Device entities,
 * projected into the roll-up tables, and every device's minute, hour and day buckets the endpoint answers equal those
 * the test computes from the Cassandra journal itself (the Device events read by persistence id); so does the total
 * over all of a user's devices, and so do they after the projection replayed every tag from its start (exact under
 * replay). Someone else's device answers 404 like an unknown one; bad parameters 400.
 *
 * <p>{@code -Dherald.telemetry-test.readings=100000} runs the 100,000 readings (docs/benchmarks.md); the
 * suite runs 4,000.
 */
@ExtendWith(InfraExtension.class)
class TelemetryReportsTest {

  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final long SPREAD_MS = Duration.ofHours(20).toMillis();
  private static final List<String> BUCKETS = List.of("1m", "1h", "1d");
  /** Readings per frame: "t" and "h". */
  private static final int KEYS = 2;

  @Test
  void aggregatesEqualThoseComputedFromTheJournalForTheOwnerOnly(Kafka kafka, Cassandra cassandra) throws Exception {
    int readings = Integer.getInteger("herald.telemetry-test.readings", 4_000);
    int frames = readings / KEYS;
    var run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    // The owner of four devices, and other users with one each (twenty, or one per 500 frames in a longer run):
    // per-user order makes a user's records wait for each other, so more users apply in parallel.
    var owner = "owner-" + run;
    var devices = new LinkedHashMap<String, String>();
    for (int d = 0; d < 4; d++) {
      devices.put("sensor-" + d + "-" + run, owner);
    }
    for (int u = 0; u < Math.max(20, frames / 500); u++) {
      devices.put("other-sensor-" + u + "-" + run, "user-" + u + "-" + run);
    }
    var deviceIds = List.copyOf(devices.keySet());
    var stranger = "user-0-" + run;

    TestNodes.withSchema(kafka, cassandra);
    // An ingress topic of its own: this test writes records straight into it (no gateway, so no trace header), and a
    // record it leaves uncommitted must not reach the next test class's node on the shared topic.
    var ingressTopic = "herald.ingress.telemetry-" + run;
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.kafka.topics.ingress", ingressTopic,
        "herald.search.telemetry.enabled", true,
        // The test reads every event back from the journal: no snapshot deletes any before it does.
        "herald.persistence.retention.snapshot-every-events", 1_000_000,
        "herald.gateway.rest.user-reads-per-second", 1000,
        "herald.gateway.rest.user-read-burst", 1000));
    try (var node = HeraldNode.start(config)) {
      WalkingSkeletonTest.awaitReady(node);
      port = node.httpPort();

      long end = System.currentTimeMillis();
      long start = end - SPREAD_MS;
      long produceStarted = System.nanoTime();
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
          "linger.ms", 20), new StringSerializer(), new ByteArraySerializer())) {
        for (int n = 0; n < frames; n++) {
          var deviceId = deviceIds.get(n % deviceIds.size());
          var userId = devices.get(deviceId);
          var id = "r" + n + "-" + run;
          // Quarter steps: every sum is exact in a double, whatever order it is added in.
          var frame = ClientFrame.newBuilder().setMessageId(id).setSentAtMs(start + n)
              .setTelemetry(Telemetry.newBuilder().putReadings("t", (n % 997) / 4.0 - 50)
                  .putReadings("h", (n % 401) / 4.0));
          var record = IngressRecord.newBuilder().setMessageId(id).setUserId(userId).setDeviceId(deviceId)
              .setReceivedAtMs(start + n * SPREAD_MS / frames).setTransport(Transport.WEBSOCKET).setFrame(frame)
              .build();
          producer.send(new ProducerRecord<>(ingressTopic, userId, record.toByteArray()));
        }
        producer.flush();
      }

      // The journal: every frame applied, each device's events read back by persistence id.
      var journal = PersistenceQuery.get(node.system())
          .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
      var expected = new TreeMap<String, Map<String, Map<String, TreeMap<Long, Bucket>>>>();
      var readUpTo = new TreeMap<String, Long>();
      int[] applied = {0};
      await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        for (var deviceId : deviceIds) {
          // Each poll reads on from where the previous one stopped.
          var events = journal.currentEventsByPersistenceId("Device|" + deviceId,
                  readUpTo.getOrDefault(deviceId, 0L) + 1, Long.MAX_VALUE)
              .runWith(Sink.seq(), node.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
          for (var envelope : events) {
            readUpTo.put(deviceId, envelope.sequenceNr());
            if (envelope.event() instanceof TelemetryRecorded recorded) {
              applied[0]++;
              recorded.getReadingsMap().forEach((key, value) -> {
                for (var bucket : BUCKETS) {
                  long size = bucketMs(bucket);
                  long bucketStart = Math.floorDiv(recorded.getReceivedAtMs(), size) * size;
                  expected.computeIfAbsent(deviceId, d -> new TreeMap<>()).computeIfAbsent(key, k -> new TreeMap<>())
                      .computeIfAbsent(bucket, b -> new TreeMap<>())
                      .merge(bucketStart, Bucket.of(value), Bucket::plus);
                }
              });
            }
          }
        }
        return applied[0] == frames;
      });
      System.out.println("TelemetryReportsTest: " + readings + " readings (" + frames + " frames) applied "
          + (System.nanoTime() - produceStarted) / 1_000_000 + " ms after the first was produced");

      // The endpoint, once the projection caught up, answers what the journal says, for every device, key and size.
      long from = start;
      long to = end + 1;
      for (var deviceId : deviceIds) {
        var userId = devices.get(deviceId);
        for (var key : List.of("t", "h")) {
          for (var bucket : BUCKETS) {
            var want = List.copyOf(expected.get(deviceId).get(key).get(bucket).entrySet());
            // 404 until the projection has the device's owner. Asked at once, then every 500 ms.
            await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() ->
                buckets(get(userId, "/v1/devices/" + deviceId + "/telemetry", params(key, bucket, from, to)))
                    .equals(render(want)));
          }
        }
      }
      System.out.println("TelemetryReportsTest: every device's roll-ups equal the journal's "
          + (System.nanoTime() - produceStarted) / 1_000_000 + " ms after the first record was produced");

      // Every device tag replayed from its start (offsets cleared: the projection restarts from nothing, as a rebuild
      // or a crash before any offset was saved would): the rows stay as they were, nothing counted twice.
      var management = ProjectionManagement.get(node.system());
      for (var tag : TagSlices.device(config).tags()) {
        var id = ProjectionId.of("telemetry-rollups", tag);
        var before = management.getOffset(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
        management.clearOffset(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() ->
            management.getOffset(id).toCompletableFuture().get(30, TimeUnit.SECONDS).equals(before));
      }
      for (var deviceId : deviceIds) {
        for (var key : List.of("t", "h")) {
          for (var bucket : BUCKETS) {
            assertEquals(render(List.copyOf(expected.get(deviceId).get(key).get(bucket).entrySet())),
                buckets(get(devices.get(deviceId), "/v1/devices/" + deviceId + "/telemetry",
                    params(key, bucket, from, to))), "after the replay: " + deviceId + " " + key + " " + bucket);
          }
        }
      }
      System.out.println("TelemetryReportsTest: replayed from the start, unchanged, "
          + (System.nanoTime() - produceStarted) / 1_000_000 + " ms after the first record was produced");

      // All of the owner's devices: the four devices' buckets added up; the others' devices are not in it.
      for (var bucket : BUCKETS) {
        var total = new TreeMap<Long, Bucket>();
        devices.forEach((deviceId, userId) -> {
          if (userId.equals(owner)) {
            expected.get(deviceId).get("t").get(bucket).forEach((at, b) -> total.merge(at, b, Bucket::plus));
          }
        });
        var answer = json.readTree(ok(get(owner, "/v1/telemetry", params("t", bucket, from, to))).body());
        assertEquals(4, answer.path("devices").asInt(), answer::toString);
        assertEquals(false, answer.path("truncated").asBoolean(), answer::toString);
        assertEquals(render(List.copyOf(total.entrySet())), buckets(answer), "the owner's total, " + bucket);
      }

      // Someone else's device, and one that does not exist, answer the same 404; no token, 401.
      var mine = deviceIds.get(0);
      var notYours = get(stranger, "/v1/devices/" + mine + "/telemetry", params("t", "1h", from, to));
      var unknown = get(stranger, "/v1/devices/nothing-" + run + "/telemetry", params("t", "1h", from, to));
      assertEquals(404, notYours.statusCode(), notYours::body);
      assertEquals(404, unknown.statusCode(), unknown::body);
      assertEquals("device " + mine + " is not known or not yours", json.readTree(notYours.body()).path("error").asText());
      var strangerTotal = json.readTree(ok(get(stranger, "/v1/telemetry", params("t", "1d", from, to))).body());
      assertEquals(1, strangerTotal.path("devices").asInt(), "the stranger's own device only");
      assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/v1/telemetry?" + params("t", "1h", from, to))).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

      // Bad parameters: 400 with the reason.
      for (var bad : List.of("key=t&bucket=1h&from=0", "key=t&bucket=2h&from=0&to=1", "bucket=1h&from=0&to=1",
          "key=t&bucket=1m&from=0&to=" + Duration.ofDays(2).toMillis(), "key=t&bucket=1h&from=5&to=1",
          "key=t&bucket=1h&from=-1&to=1")) {
        for (var path : List.of("/v1/devices/" + mine + "/telemetry", "/v1/telemetry")) {
          var response = get(owner, path, bad);
          assertEquals(400, response.statusCode(), () -> path + "?" + bad + ": " + response.body());
          assertTrue(json.readTree(response.body()).path("error").asText().length() > 0, response::body);
        }
      }
    }
  }

  /** What the test computes from the journal for one bucket. */
  record Bucket(long count, double min, double max, double sum) {
    static Bucket of(double value) {
      return new Bucket(1, value, value, value);
    }

    Bucket plus(Bucket other) {
      return new Bucket(count + other.count, Math.min(min, other.min), Math.max(max, other.max), sum + other.sum);
    }
  }

  private static long bucketMs(String bucket) {
    return switch (bucket) {
      case "1m" -> 60_000L;
      case "1h" -> 3_600_000L;
      default -> 86_400_000L;
    };
  }

  private static String params(String key, String bucket, long from, long to) {
    return "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&bucket=" + bucket + "&from=" + from
        + "&to=" + to;
  }

  private static List<String> render(List<Map.Entry<Long, Bucket>> buckets) {
    var rendered = new ArrayList<String>();
    buckets.forEach(entry -> rendered.add(entry.getKey() + ":" + entry.getValue().count() + ":" + entry.getValue().min()
        + ":" + entry.getValue().max() + ":" + entry.getValue().sum()));
    return rendered;
  }

  /** The buckets of a 200 answer, in render's form; anything else fails the caller's condition. */
  private static List<String> buckets(HttpResponse<String> response) throws Exception {
    return buckets(json.readTree(ok(response).body()));
  }

  private static List<String> buckets(JsonNode answer) {
    var rendered = new ArrayList<String>();
    answer.path("buckets").forEach(bucket -> {
      long count = bucket.path("count").asLong();
      double sum = bucket.path("sum").asDouble();
      // The mean is the sum over the count, as the contract says.
      assertEquals(sum / count, bucket.path("mean").asDouble(), bucket::toString);
      rendered.add(bucket.path("start_ms").asLong() + ":" + count + ":" + bucket.path("min").asDouble() + ":"
          + bucket.path("max").asDouble() + ":" + sum);
    });
    return rendered;
  }

  private static HttpResponse<String> ok(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("answered " + response.statusCode() + ": " + response.body());
    }
    return response;
  }

  private HttpResponse<String> get(String user, String path, String query) throws Exception {
    var token = Tokens.mint(TestNodes.JWT_SECRET, user, user + "-phone", Duration.ofMinutes(10));
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?"
        + query)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The node's HTTP port. */
  private int port;
}
