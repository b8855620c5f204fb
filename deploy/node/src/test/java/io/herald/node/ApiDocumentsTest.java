package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Descriptors.Descriptor;
import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.infra.solr.SolrNode;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.device.v1.ChatSend;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.CreateConversation;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.DeviceSignal;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.cluster.typed.Cluster;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/openapi.yaml and docs/asyncapi.yaml are the contract as data: this test keeps them true. Against a running
 * node, every path and method of the OpenAPI document is requested in the situations it describes (no token, a valid
 * one, a bad parameter, someone else's resource, too many reads, a CORS preflight, the admin token) and each answer's
 * status must be one the document lists, with a body that fits the listed schema; the set of paths and methods
 * requested must be exactly the document's, and every path segment the node's route code names must be in a
 * document. The AsyncAPI document must have exactly one message per case of ClientFrame.body, ServerFrame.body and
 * Push.body (from the generated descriptors), and its channels must answer as it says (WebSocket upgrade, CoAP POST
 * and Observe).
 */
@ExtendWith(InfraExtension.class)
class ApiDocumentsTest {

  private static final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper json = new ObjectMapper();
  private static final Path DOCS = Path.of("..", "..", "docs");
  private static final Path SOURCES = Path.of("..", "..");
  private static final String ALLOWED_ORIGIN = "https://app.example";
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch");

  private final HttpClient http = HttpClient.newHttpClient();

  /** What was requested: the document's path and method, and what the node answered. */
  private record Answered(String path, String method, int status) {}

  private final List<Answered> answered = new ArrayList<>();

  @Test
  void theAsyncApiDocumentHasOneMessagePerFrameCaseOfTheProtocol() throws Exception {
    var asyncapi = yaml.readTree(DOCS.resolve("asyncapi.yaml").toFile());
    assertEquals("3.0.0", asyncapi.path("asyncapi").asText());
    var messages = asyncapi.path("components").path("messages");

    var documented = new TreeSet<String>();
    var pushCases = new TreeSet<String>();
    messages.fields().forEachRemaining(entry -> {
      var message = entry.getValue();
      var frame = resolve(asyncapi, message.path("payload")).path("x-protobuf-message").asText();
      var frameCase = message.path("x-protobuf-case").asText();
      assertFalse(frameCase.isEmpty(), entry.getKey() + " names no x-protobuf-case");
      if (frame.equals(ServerFrame.getDescriptor().getFullName()) && frameCase.equals("push")) {
        assertTrue(pushCases.add(message.path("x-protobuf-push-case").asText()), "two messages for one push case");
      } else {
        assertTrue(documented.add(frame + "." + frameCase), "two messages for " + frame + "." + frameCase);
      }
    });
    var protocol = new TreeSet<String>();
    for (var frame : List.of(ClientFrame.getDescriptor(), ServerFrame.getDescriptor())) {
      bodyCases(frame).stream().filter(name -> !(frame == ServerFrame.getDescriptor() && name.equals("push")))
          .forEach(name -> protocol.add(frame.getFullName() + "." + name));
    }
    assertEquals(protocol, documented, "ClientFrame and ServerFrame body cases vs the document's messages");
    assertEquals(new TreeSet<>(bodyCases(Push.getDescriptor())), pushCases, "Push body cases vs the push messages");

    // The payloads name the .proto file that defines them, as the generated descriptors say.
    for (var frame : List.of(ClientFrame.getDescriptor(), ServerFrame.getDescriptor())) {
      var schema = asyncapi.path("components").path("schemas").path(frame.getName());
      assertEquals(frame.getFullName(), schema.path("x-protobuf-message").asText());
      assertEquals("binary", schema.path("format").asText());
      var proto = SOURCES.resolve(schema.path("x-protobuf-file").asText()).normalize();
      assertTrue(proto.endsWith(frame.getFile().getName()), proto + " is not " + frame.getFile().getName());
      assertTrue(Files.readString(proto).contains("message " + frame.getName() + " {"), proto + " defines " + frame.getName());
    }
    // Every message a channel or operation names exists.
    asyncapi.path("channels").forEach(channel -> channel.path("messages").forEach(ref -> assertFalse(
        resolve(asyncapi, ref).isMissingNode(), "a channel names " + ref)));
    asyncapi.path("operations").forEach(operation -> operation.path("messages").forEach(ref -> assertFalse(
        resolve(asyncapi, ref).isMissingNode(), "an operation names " + ref)));
  }

  @Test
  void everyPathSegmentTheRouteCodeNamesIsInADocument() throws Exception {
    var documented = new TreeSet<String>();
    yaml.readTree(DOCS.resolve("openapi.yaml").toFile()).path("paths").fieldNames()
        .forEachRemaining(path -> documented.addAll(List.of(path.split("/"))));
    yaml.readTree(DOCS.resolve("asyncapi.yaml").toFile()).path("channels")
        .forEach(channel -> documented.addAll(List.of(channel.path("address").asText().split("/"))));
    // Pekko HTTP directives name path segments (path("x"), segment("x").slash("y"): a Jackson node's .path("x") is
    // not one); Californium resources are named by their constructors.
    var literal = Pattern.compile(
        "(?:(?<![.\\w])(?:segment|path|pathPrefix|pathPrefixTest|CoapResource|super)|\\.slash)\\(\"([^\"]+)\"");
    var routeSources = List.of(
        "gateway/src/main/java/io/herald/gateway/rest/RestEndpoint.java",
        "gateway/src/main/java/io/herald/gateway/websocket/WebSocketEndpoint.java",
        "gateway/src/main/java/io/herald/gateway/coap/CoapIngress.java",
        "gateway/src/main/java/io/herald/gateway/coap/MessagesResource.java",
        "gateway/src/main/java/io/herald/gateway/coap/InboxResource.java",
        "deploy/node/src/main/java/io/herald/node/ops/OperatorRoutes.java",
        "search-service/src/main/java/io/herald/search/SearchEndpoint.java",
        "search-service/src/main/java/io/herald/search/DeviceSearchEndpoint.java",
        "search-service/src/main/java/io/herald/search/telemetry/TelemetryEndpoint.java");
    var named = new TreeSet<String>();
    for (var source : routeSources) {
      var matcher = literal.matcher(Files.readString(SOURCES.resolve(source)));
      while (matcher.find()) {
        named.add(matcher.group(1));
      }
    }
    assertTrue(named.containsAll(Set.of("v1", "devices", "shadow", "conversations", "messages", "ws", "metrics",
        "admin", "dead-letters", "replay", "degradation", "inbox", "search", "telemetry")),
        "the route sources were read: " + named);
    named.removeAll(documented);
    assertEquals(Set.of(), named, "path segments the node serves that no document names");
  }

  @Test
  void theRunningNodeAnswersAsTheDocumentsSay(Kafka kafka, Cassandra cassandra, SolrNode solr) throws Exception {
    var openapi = yaml.readTree(DOCS.resolve("openapi.yaml").toFile());
    var asyncapi = yaml.readTree(DOCS.resolve("asyncapi.yaml").toFile());
    int coapPort;
    try (var free = new DatagramSocket(0)) {
      coapPort = free.getLocalPort();
    }
    var config = TestNodes.config(kafka, cassandra, Map.of(
        "herald.gateway.coap.port", coapPort,
        "herald.gateway.rest.cors.allowed-origins", List.of(ALLOWED_ORIGIN),
        "herald.search.enabled", true,
        "herald.search.solr.base-url", solr.baseUrl(),
        "herald.search.telemetry.enabled", true,
        // Small, so that a burst of reads meets 429 within a second on any machine.
        "herald.gateway.rest.user-read-burst", 5,
        "herald.gateway.rest.user-reads-per-second", 5));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    try (var node = HeraldNode.start(config)) {
      WalkingSkeletonTest.awaitReady(node);
      var gateway = "http://127.0.0.1:" + node.httpPort();
      var management = node.managementUri().replaceAll("/$", "");
      var run = UUID.randomUUID().toString().substring(0, 8);
      var user = "docs-user-" + run;
      var device = "docs-device-" + run;
      var conversation = "docs-conversation-" + run;
      var token = Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10));

      // The WebSocket channel: an upgrade with a token in the header or the query is a session; without, 401.
      var upgrade = asyncapi.path("channels").path("webSocket");
      assertEquals("/v1/ws", upgrade.path("address").asText());
      assertTrue(upgrade.path("x-http-upgrade").path("responses").has("401"));
      try (var session = WebSocketTestClient.connect(URI.create("ws://127.0.0.1:" + node.httpPort()
          + upgrade.path("address").asText()), Map.of("Authorization", "Bearer " + token)).join()) {
        var welcome = session.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setHello(Hello.getDefaultInstance()));
        assertEquals(device, welcome.getWelcome().getDeviceId());
        assertTrue(session.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setReportState(ReportState.newBuilder().putReported("mode", "eco"))).hasAck());
        assertTrue(session.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setCreateConversation(CreateConversation.newBuilder().setConversationId(conversation))).hasAck());
        assertTrue(session.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setChatSend(ChatSend.newBuilder().setConversationId(conversation).setText("hello"))).hasAck());
      }
      try (var byQuery = WebSocketTestClient.connect(URI.create("ws://127.0.0.1:" + node.httpPort()
          + "/v1/ws?access_token=" + token), Map.of()).join()) {
        assertTrue(byQuery.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setHello(Hello.getDefaultInstance())).hasWelcome());
      }
      var refused = assertInstanceOf(CompletionException.class, catching(() -> WebSocketTestClient.connect(
          URI.create("ws://127.0.0.1:" + node.httpPort() + "/v1/ws"), Map.of()).join()));
      var handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
      assertTrue(upgrade.path("x-http-upgrade").path("responses").has(
          Integer.toString(handshake.getResponse().statusCode())), "upgrade without a token: "
          + handshake.getResponse().statusCode());

      coapChannels(asyncapi, coapPort, token, device);

      // The REST reads. Reads are rated per user (5 at once here): each check that needs no particular user reads as
      // a new one, so that only the burst below meets 429.
      var shadow = "/v1/devices/{id}/shadow";
      var history = "/v1/conversations/{id}/messages";
      var list = "/v1/conversations";
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
          send(gateway, "GET", "/v1/devices/" + device + "/shadow", token, Map.of()).statusCode() == 200);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        var page = send(gateway, "GET", "/v1/conversations/" + conversation + "/messages", token, Map.of());
        return page.statusCode() == 200 && json.readTree(page.body()).path("messages").size() == 1;
      });
      check(openapi, shadow, "GET", 401, send(gateway, "GET", "/v1/devices/" + device + "/shadow", null, Map.of()));
      var shadowAnswer = check(openapi, shadow, "GET", 200,
          send(gateway, "GET", "/v1/devices/" + device + "/shadow", token, Map.of("Origin", ALLOWED_ORIGIN)));
      assertEquals(ALLOWED_ORIGIN, shadowAnswer.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      check(openapi, shadow, "GET", 404, send(gateway, "GET", "/v1/devices/nobody-" + run + "/shadow", anotherUser(), Map.of()));

      check(openapi, history, "GET", 401, send(gateway, "GET", "/v1/conversations/" + conversation + "/messages", null, Map.of()));
      check(openapi, history, "GET", 200, send(gateway, "GET", "/v1/conversations/" + conversation
          + "/messages?after_seq=0&limit=200", token, Map.of()));
      for (var bad : List.of("limit=0", "limit=201", "after_seq=-1", "after_seq=9007199254740992", "limit=many")) {
        check(openapi, history, "GET", 400, send(gateway, "GET", "/v1/conversations/" + conversation
            + "/messages?" + bad, anotherUser(), Map.of()));
      }
      check(openapi, history, "GET", 404, send(gateway, "GET", "/v1/conversations/none-" + run + "/messages", anotherUser(), Map.of()));

      check(openapi, list, "GET", 401, send(gateway, "GET", list, null, Map.of()));
      var conversations = check(openapi, list, "GET", 200, send(gateway, "GET", list + "?limit=10", token, Map.of()));
      assertTrue(conversations.body().contains(conversation), conversations.body());
      for (var bad : List.of("limit=0", "limit=201", "limit=x", "after=" + "c".repeat(1025))) {
        check(openapi, list, "GET", 400, send(gateway, "GET", list + "?" + bad, anotherUser(), Map.of()));
      }
      assertLimitsAndBounds(openapi, config.getInt("herald.gateway.rest.max-page"));

      // Chat search (search-service on the gateway's port): the projection creates the collection when it starts.
      var search = "/v1/search/messages";
      check(openapi, search, "GET", 401, send(gateway, "GET", search + "?q=hello", null, Map.of()));
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
          send(gateway, "GET", search + "?q=hello", anotherUser(), Map.of()).statusCode() == 200);
      check(openapi, search, "GET", 200, send(gateway, "GET", search + "?q=hello&limit=5", anotherUser(), Map.of()));
      for (var bad : List.of("q=", "q=" + "w".repeat(257), "q=hello&limit=0", "q=hello&limit=51", "q=hello&from=x")) {
        check(openapi, search, "GET", 400, send(gateway, "GET", search + "?" + bad, anotherUser(), Map.of()));
      }

      // Device search: the owner's device once the projection indexed its reported state.
      var deviceSearch = "/v1/devices";
      check(openapi, deviceSearch, "GET", 401, send(gateway, "GET", deviceSearch, null, Map.of()));
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
          json.readTree(send(gateway, "GET", deviceSearch + "?q=reported.mode:eco", token, Map.of()).body())
              .path("found").asLong() == 1);
      check(openapi, deviceSearch, "GET", 200, send(gateway, "GET", deviceSearch + "?q=reported.mode:ec*&limit=5",
          token, Map.of()));
      for (var bad : List.of("q=mode:eco", "q=reported.mode", "online=maybe", "limit=0", "limit=101")) {
        check(openapi, deviceSearch, "GET", 400, send(gateway, "GET", deviceSearch + "?" + bad, anotherUser(),
            Map.of()));
      }

      // Telemetry reports (search-service on the gateway's port): the owner's device once the projection named its
      // owner (its reported state), someone else's or an unknown device 404.
      var deviceTelemetry = "/v1/devices/{id}/telemetry";
      var userTelemetry = "/v1/telemetry";
      var range = "?key=t&bucket=1h&from=0&to=" + 24 * 3_600_000L;
      check(openapi, deviceTelemetry, "GET", 401, send(gateway, "GET", "/v1/devices/" + device + "/telemetry" + range,
          null, Map.of()));
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
          send(gateway, "GET", "/v1/devices/" + device + "/telemetry" + range, token, Map.of()).statusCode() == 200);
      check(openapi, deviceTelemetry, "GET", 200, send(gateway, "GET", "/v1/devices/" + device + "/telemetry" + range,
          token, Map.of()));
      check(openapi, deviceTelemetry, "GET", 404, send(gateway, "GET", "/v1/devices/" + device + "/telemetry" + range,
          anotherUser(), Map.of()));
      check(openapi, userTelemetry, "GET", 401, send(gateway, "GET", userTelemetry + range, null, Map.of()));
      check(openapi, userTelemetry, "GET", 200, send(gateway, "GET", userTelemetry + range, anotherUser(), Map.of()));
      for (var bad : List.of("?key=t&bucket=1h&from=0", "?key=t&bucket=1w&from=0&to=1", "?bucket=1h&from=0&to=1",
          "?key=t&bucket=1m&from=0&to=" + 2 * 86_400_000L, "?key=t&bucket=1h&from=2&to=1")) {
        check(openapi, deviceTelemetry, "GET", 400, send(gateway, "GET", "/v1/devices/" + device + "/telemetry" + bad,
            anotherUser(), Map.of()));
        check(openapi, userTelemetry, "GET", 400, send(gateway, "GET", userTelemetry + bad, anotherUser(), Map.of()));
      }

      // Too many reads: a burst past user-read-burst gets 429 with Retry-After, on every read.
      for (var path : Map.of(shadow, "/v1/devices/" + device + "/shadow",
          history, "/v1/conversations/" + conversation + "/messages", list, list).entrySet()) {
        var hog = anotherUser();
        var burst = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 30; i++) {
          burst.add(http.sendAsync(request(gateway, "GET", path.getValue(), hog, Map.of()).build(),
              HttpResponse.BodyHandlers.ofString()));
        }
        var tooMany = burst.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429).findFirst();
        assertTrue(tooMany.isPresent(), "30 reads at once by one user were all served on " + path.getKey());
        check(openapi, path.getKey(), "GET", 429, tooMany.get());
        assertTrue(tooMany.get().headers().firstValue("Retry-After").isPresent(), "429 without Retry-After");
      }

      // CORS preflights.
      for (var path : Map.of(shadow, "/v1/devices/" + device + "/shadow",
          history, "/v1/conversations/" + conversation + "/messages", list, list).entrySet()) {
        var allowed = check(openapi, path.getKey(), "OPTIONS", 204, send(gateway, "OPTIONS", path.getValue(), null, Map.of(
            "Origin", ALLOWED_ORIGIN, "Access-Control-Request-Method", "GET",
            "Access-Control-Request-Headers", "authorization")));
        var documentedHeaders = operation(openapi, path.getKey(), "OPTIONS").path("responses").path("204").path("headers");
        documentedHeaders.fieldNames().forEachRemaining(header -> assertTrue(
            allowed.headers().firstValue(header).isPresent(), "the preflight's answer lacks " + header));
        check(openapi, path.getKey(), "OPTIONS", 403, send(gateway, "OPTIONS", path.getValue(), null, Map.of(
            "Origin", "https://elsewhere.example", "Access-Control-Request-Method", "GET")));
        check(openapi, path.getKey(), "OPTIONS", 403, send(gateway, "OPTIONS", path.getValue(), null, Map.of(
            "Origin", ALLOWED_ORIGIN, "Access-Control-Request-Method", "DELETE")));
      }

      // The operator endpoints.
      var admin = TestNodes.ADMIN_TOKEN;
      for (var health : List.of("/ready", "/alive", "/startup")) {
        check(openapi, health, "GET", 200, send(management, "GET", health, null, Map.of()));
      }
      check(openapi, "/metrics", "GET", 200, send(management, "GET", "/metrics", null, Map.of()));
      var self = Cluster.get(node.system()).selfMember().address().toString();
      var stranger = "pekko://" + node.system().name() + "@10.255.255.1:25520";
      check(openapi, "/cluster/members", "GET", 200, send(management, "GET", "/cluster/members", null, Map.of()));
      check(openapi, "/cluster/members", "POST", 401, form(management, "POST", "/cluster/members", null, "address=" + stranger));
      var member = "/cluster/members/{address}";
      check(openapi, member, "GET", 200, send(management, "GET", "/cluster/members/" + encoded(self), null, Map.of()));
      check(openapi, member, "GET", 404, send(management, "GET", "/cluster/members/" + encoded(stranger), null, Map.of()));
      check(openapi, member, "PUT", 401, form(management, "PUT", "/cluster/members/" + encoded(self), null, "operation=Leave"));
      check(openapi, member, "PUT", 400, form(management, "PUT", "/cluster/members/" + encoded(self), admin, "operation=Sideways"));
      check(openapi, member, "PUT", 404, form(management, "PUT", "/cluster/members/" + encoded(stranger), admin, "operation=Leave"));
      check(openapi, member, "DELETE", 401, send(management, "DELETE", "/cluster/members/" + encoded(self), null, Map.of()));
      check(openapi, member, "DELETE", 404, send(management, "DELETE", "/cluster/members/" + encoded(stranger), admin, Map.of()));
      check(openapi, "/cluster", "PUT", 401, form(management, "PUT", "/cluster", null, "operation=Prepare-for-full-shutdown"));
      check(openapi, "/cluster", "PUT", 400, form(management, "PUT", "/cluster", admin, "operation=Sideways"));
      var shards = "/cluster/shards/{type}";
      check(openapi, shards, "GET", 200, send(management, "GET", "/cluster/shards/" + DeviceSignal.ENTITY_TYPE, null, Map.of()));
      check(openapi, shards, "GET", 404, send(management, "GET", "/cluster/shards/NoSuchType", null, Map.of()));
      var events = http.send(request(management, "GET", "/cluster/domain-events", null, Map.of()).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream endless = events.body()) {
        checkStatusAndType(openapi, "/cluster/domain-events", "GET", 200, events.statusCode(),
            events.headers().firstValue("Content-Type").orElse(""));
      }
      check(openapi, "/admin/dead-letters", "GET", 401, send(management, "GET", "/admin/dead-letters", null, Map.of()));
      check(openapi, "/admin/dead-letters", "GET", 401, send(management, "GET", "/admin/dead-letters", "wrong", Map.of()));
      check(openapi, "/admin/dead-letters", "GET", 200, send(management, "GET", "/admin/dead-letters", admin, Map.of()));
      var replay = "/admin/dead-letters/replay";
      check(openapi, replay, "POST", 401, send(management, "POST", replay, null, Map.of()));
      check(openapi, replay, "POST", 200, send(management, "POST", replay + "?partition=0&offset=" + Long.MAX_VALUE, admin, Map.of()));
      check(openapi, replay, "POST", 400, send(management, "POST", replay + "?partition=abc", admin, Map.of()));
      check(openapi, replay, "POST", 400, send(management, "POST", replay + "?partition=0&offset=-1", admin, Map.of()));
      var degradation = "/admin/degradation";
      check(openapi, degradation, "GET", 401, send(management, "GET", degradation, null, Map.of()));
      check(openapi, degradation, "GET", 200, send(management, "GET", degradation, admin, Map.of()));
      check(openapi, degradation, "POST", 401, send(management, "POST", degradation + "?mode=normal", null, Map.of()));
      check(openapi, degradation, "POST", 400, send(management, "POST", degradation + "?mode=sideways", admin, Map.of()));
      check(openapi, degradation, "POST", 200, send(management, "POST", degradation + "?mode=normal&reason=docs", admin, Map.of()));
      check(openapi, "/admin/projections", "GET", 401, send(management, "GET", "/admin/projections", null, Map.of()));
      check(openapi, "/admin/projections", "GET", 200, send(management, "GET", "/admin/projections", admin, Map.of()));
      var rebuild = "/admin/projections/{name}/rebuild";
      check(openapi, rebuild, "POST", 401, send(management, "POST", "/admin/projections/chat-search/rebuild", null, Map.of()));
      check(openapi, rebuild, "POST", 404, send(management, "POST", "/admin/projections/nothing/rebuild", admin, Map.of()));

      // Every path and method of the document was requested, and nothing else.
      var documented = new TreeSet<String>();
      openapi.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
        if (HTTP_METHODS.contains(method)) {
          documented.add(method.toUpperCase() + " " + path.getKey());
        }
      }));
      var requested = answered.stream().map(a -> a.method() + " " + a.path()).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(documented, requested, "the document's paths and methods vs those requested from the node");
    }
  }

  /** POST /v1/messages and GET /v1/inbox with Observe answer with the codes and frames the channels list. */
  private void coapChannels(JsonNode asyncapi, int coapPort, String token, String device) throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    var endpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
    try {
      var uplink = asyncapi.path("channels").path("coapMessages");
      var uplinkCodes = uplink.path("x-coap").path("responseCodes");
      var base = "coap://127.0.0.1:" + coapPort;
      var ack = coapPost(endpoint, base + uplink.path("address").asText() + "?access_token=" + token,
          ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
              .setReportState(ReportState.newBuilder().putReported("coap", "yes")).build().toByteArray());
      assertTrue(uplinkCodes.has(ack.getCode().text), "POST answered " + ack.getCode().text);
      assertEquals("2.04", ack.getCode().text);
      assertTrue(ServerFrame.parseFrom(ack.getPayload()).hasAck());
      var unauthorized = coapPost(endpoint, base + uplink.path("address").asText() + "?access_token=nonsense",
          ClientFrame.newBuilder().setMessageId("x").setReportState(ReportState.getDefaultInstance()).build().toByteArray());
      assertEquals("4.01", unauthorized.getCode().text);
      assertTrue(uplinkCodes.has(unauthorized.getCode().text));
      assertEquals(NackCode.UNAUTHORIZED, ServerFrame.parseFrom(unauthorized.getPayload()).getNack().getCode());
      var invalid = coapPost(endpoint, base + uplink.path("address").asText() + "?access_token=" + token,
          "not a frame".getBytes(StandardCharsets.UTF_8));
      assertTrue(uplinkCodes.has(invalid.getCode().text), "an undecodable frame answered " + invalid.getCode().text);
      assertTrue(ServerFrame.parseFrom(invalid.getPayload()).hasNack());
      // hello is the one client frame the uplink does not take (the Observe registration replaces it).
      assertFalse(uplink.path("messages").has("hello"), "the CoAP uplink lists hello");
      var hello = coapPost(endpoint, base + uplink.path("address").asText() + "?access_token=" + token,
          ClientFrame.newBuilder().setMessageId("hello-" + UUID.randomUUID()).setHello(Hello.getDefaultInstance())
              .build().toByteArray());
      assertEquals("4.00", hello.getCode().text);
      assertEquals(NackCode.INVALID, ServerFrame.parseFrom(hello.getPayload()).getNack().getCode());

      var downlink = asyncapi.path("channels").path("coapInbox");
      var downlinkCodes = downlink.path("x-coap").path("responseCodes");
      var inbox = new CoapClient(base + downlink.path("address").asText() + "?access_token=" + token + "&last_seq=0");
      inbox.setEndpoint(endpoint);
      BlockingQueue<CoapResponse> notifications = new LinkedBlockingQueue<>();
      var relation = inbox.observeAndWait(new CoapHandler() {
        @Override
        public void onLoad(CoapResponse response) {
          notifications.add(response);
        }

        @Override
        public void onError() {}
      });
      try {
        var registered = notifications.poll(10, TimeUnit.SECONDS);
        assertNotNull(registered, "no answer to the Observe registration");
        assertTrue(downlinkCodes.has(registered.getCode().text), "Observe answered " + registered.getCode().text);
        assertEquals(device, ServerFrame.parseFrom(registered.getPayload()).getWelcome().getDeviceId());
      } finally {
        relation.proactiveCancel();
        inbox.shutdown();
      }
      var negative = new CoapClient(base + downlink.path("address").asText() + "?access_token=" + token + "&last_seq=-1");
      negative.setEndpoint(endpoint);
      negative.setTimeout(10_000L);
      try {
        var answer = negative.advanced(Request.newGet().setObserve());
        assertNotNull(answer, "no answer to last_seq=-1");
        assertEquals("4.00", answer.getCode().text);
        assertTrue(downlinkCodes.has(answer.getCode().text));
      } finally {
        negative.shutdown();
      }
    } finally {
      endpoint.destroy();
    }
  }

  private static CoapResponse coapPost(CoapEndpoint endpoint, String uri, byte[] payload) throws Exception {
    var client = new CoapClient(uri);
    try {
      client.setEndpoint(endpoint);
      client.setTimeout(30_000L);
      var response = client.post(payload, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
      assertNotNull(response, "no CoAP response within 30 s");
      return response;
    } finally {
      client.shutdown();
    }
  }

  /** The documented bounds are the code's (RestEndpoint's constants, the default max-page). */
  private static void assertLimitsAndBounds(JsonNode openapi, int maxPage) {
    var afterSeq = operation(openapi, "/v1/conversations/{id}/messages", "GET").path("parameters").get(0).path("schema");
    assertEquals((1L << 53) - 1, afterSeq.path("maximum").asLong());
    assertEquals(0, afterSeq.path("minimum").asLong());
    var limit = openapi.path("components").path("parameters").path("Limit").path("schema");
    assertEquals(1, limit.path("minimum").asInt());
    assertEquals(maxPage, limit.path("maximum").asInt(), "limit's documented maximum is max-page");
  }

  /**
   * The answer's status must be the one this situation gets ({@code expected}) and one the document lists for the
   * path and method; its Content-Type and body must fit the listed content.
   */
  private HttpResponse<String> check(JsonNode openapi, String path, String method, int expected,
      HttpResponse<String> response) throws Exception {
    var contentType = response.headers().firstValue("Content-Type").orElse("");
    var documentedResponse = checkStatusAndType(openapi, path, method, expected, response.statusCode(), contentType);
    var schema = documentedResponse.path("content").path("application/json").path("schema");
    if (!schema.isMissingNode()) {
      var errors = new ArrayList<String>();
      validate(openapi, schema, json.readTree(response.body()), "$", errors);
      assertEquals(List.of(), errors, method + " " + path + " " + response.statusCode() + " body " + response.body());
    }
    return response;
  }

  private JsonNode checkStatusAndType(JsonNode openapi, String path, String method, int expected, int status,
      String contentType) {
    answered.add(new Answered(path, method, status));
    assertEquals(expected, status, method + " " + path);
    var responses = operation(openapi, path, method).path("responses");
    assertTrue(responses.has(Integer.toString(status)), method + " " + path + " answered " + status
        + ", which the document does not list: " + iterable(responses.fieldNames()));
    var documentedResponse = resolve(openapi, responses.path(Integer.toString(status)));
    var content = documentedResponse.path("content");
    if (!content.isEmpty()) {
      var mediaType = contentType.split(";")[0].trim();
      assertTrue(content.has(mediaType), method + " " + path + " " + status + " answered " + contentType
          + ", the document says " + iterable(content.fieldNames()));
    }
    return documentedResponse;
  }

  private static JsonNode operation(JsonNode openapi, String path, String method) {
    var operation = openapi.path("paths").path(path).path(method.toLowerCase());
    assertFalse(operation.isMissingNode(), "the document has no " + method + " " + path);
    return operation;
  }

  /** The subset of JSON Schema the documents use: $ref, type, required, properties, additionalProperties, items, enum, const, pattern, maxLength. */
  private static void validate(JsonNode document, JsonNode schema, JsonNode value, String at, List<String> errors) {
    schema = resolve(document, schema);
    var type = schema.path("type");
    if (!type.isMissingNode()) {
      var types = new ArrayList<String>();
      if (type.isArray()) {
        type.forEach(t -> types.add(t.asText()));
      } else {
        types.add(type.asText());
      }
      if (types.stream().noneMatch(t -> hasType(value, t))) {
        errors.add(at + " is not " + types + ": " + value);
        return;
      }
    }
    if (schema.has("enum")) {
      var allowed = new ArrayList<JsonNode>();
      schema.path("enum").forEach(allowed::add);
      if (!allowed.contains(value)) {
        errors.add(at + " is not one of " + allowed + ": " + value);
      }
    }
    if (schema.has("const") && !schema.path("const").equals(value)) {
      errors.add(at + " is not " + schema.path("const") + ": " + value);
    }
    if (value.isTextual() && schema.has("pattern") && !Pattern.compile(schema.path("pattern").asText()).matcher(value.asText()).find()) {
      errors.add(at + " does not match " + schema.path("pattern").asText() + ": " + value);
    }
    if (value.isObject()) {
      for (var required : schema.path("required")) {
        if (!value.has(required.asText())) {
          errors.add(at + " lacks " + required.asText());
        }
      }
      var properties = schema.path("properties");
      var additional = schema.path("additionalProperties");
      value.fields().forEachRemaining(field -> {
        if (properties.has(field.getKey())) {
          validate(document, properties.path(field.getKey()), field.getValue(), at + "." + field.getKey(), errors);
        } else if (additional.isObject()) {
          validate(document, additional, field.getValue(), at + "." + field.getKey(), errors);
        }
      });
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(document, schema.path("items"), value.get(i), at + "[" + i + "]", errors);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> throw new IllegalArgumentException("a schema type this test does not know: " + type);
    };
  }

  /** Follows a local {@code $ref} ({@code #/a/b/c}); any other node is itself. */
  private static JsonNode resolve(JsonNode document, JsonNode node) {
    while (node.has("$ref") && node.path("$ref").asText().startsWith("#/")) {
      node = document.at(node.path("$ref").asText().substring(1));
    }
    return node;
  }

  private static List<String> bodyCases(Descriptor frame) {
    return frame.getOneofs().stream().filter(oneof -> oneof.getName().equals("body")).findFirst().orElseThrow()
        .getFields().stream().map(field -> field.getName()).toList();
  }

  /** A token of a user who has not read yet. */
  private static String anotherUser() {
    return Tokens.mint(TestNodes.JWT_SECRET, "docs-reader-" + UUID.randomUUID(), "reader-device", Duration.ofMinutes(5));
  }

  private HttpResponse<String> send(String base, String method, String path, String token, Map<String, String> headers)
      throws Exception {
    return http.send(request(base, method, path, token, headers).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> form(String base, String method, String path, String token, String body) throws Exception {
    var request = request(base, path, token, Map.of("Content-Type", "application/x-www-form-urlencoded"))
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String base, String method, String path, String token,
      Map<String, String> headers) {
    return request(base, path, token, headers).method(method, HttpRequest.BodyPublishers.noBody());
  }

  private static HttpRequest.Builder request(String base, String path, String token, Map<String, String> headers) {
    var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    return request;
  }

  private static String encoded(String address) {
    return URLEncoder.encode(address, StandardCharsets.UTF_8);
  }

  private static Throwable catching(Runnable action) {
    try {
      action.run();
    } catch (Throwable thrown) {
      return thrown;
    }
    return fail("expected a failure");
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    var all = new ArrayList<String>();
    names.forEachRemaining(all::add);
    return all;
  }
}
