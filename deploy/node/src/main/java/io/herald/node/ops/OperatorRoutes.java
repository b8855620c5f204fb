package io.herald.node.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.extractMethod;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefixTest;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.degradation.DegradationMode;
import io.herald.search.SearchOperations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's own operator endpoints on the management port: {@code /metrics} (Prometheus text) and, behind
 * {@code Authorization: Bearer <herald.admin.token>}, {@code /admin/dead-letters} (GET: list),
 * {@code /admin/dead-letters/replay} (POST: one with {@code ?partition=P&offset=O}, else all) and
 * {@code /admin/degradation} (GET: the mode; POST {@code ?mode=normal|shed-telemetry|read-only}: switch the cluster) and
 * {@code /admin/projections} (GET: the read side's lag; POST {@code /{name}/rebuild}: rebuild one from the journal).
 */
public final class OperatorRoutes implements ManagementRouteProvider {

  private static final Logger log = LoggerFactory.getLogger(OperatorRoutes.class);
  private static final ObjectMapper json = new ObjectMapper();
  private static final String SEARCH_OFF = "search (herald.search.enabled) does not run on this node";

  private final HeraldMetrics metrics;
  private final DeadLetterAdmin deadLetters;
  private final String adminToken;
  private final int listLimit;
  private final Executor blocking;
  private final Executor dispatcher;
  private final Degradation degradation;
  private final Cluster cluster;
  private final SearchOperations search;

  public OperatorRoutes(ExtendedActorSystem system) {
    var config = system.settings().config();
    this.metrics = HeraldMetrics.get(system);
    this.deadLetters = new DeadLetterAdmin(config);
    this.adminToken = config.getString("herald.admin.token");
    this.listLimit = config.getInt("herald.admin.dead-letter-list-limit");
    this.blocking = system.dispatchers().lookup("herald.admin.blocking-dispatcher");
    this.dispatcher = system.dispatcher();
    this.degradation = Degradation.get(Adapter.toTyped(system));
    this.cluster = Cluster.get(system);
    this.search = SearchOperations.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return concat(
        clusterRoutes(),
        path("metrics", () -> get(() -> complete(HttpResponse.create()
            .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape()))))),
        pathPrefix("admin", () -> optionalHeaderValueByName("Authorization", authorization -> {
          if (!authorized(authorization)) {
            return complete(StatusCodes.UNAUTHORIZED, adminToken.isEmpty()
                ? "herald.admin.token is not configured: admin endpoints are off"
                : "Authorization: Bearer <herald.admin.token> required");
          }
          return concat(degradationRoute(), projectionsRoute(), pathPrefix("dead-letters", () -> concat(
              path("replay", () -> post(() -> parameterOptional("partition", partitionText ->
                  parameterOptional("offset", offsetText -> {
                    Optional<Integer> partition;
                    Optional<Long> offset;
                    try {
                      partition = partitionText.map(text -> Math.toIntExact(nonNegative(text)));
                      offset = offsetText.map(OperatorRoutes::nonNegative);
                    } catch (NumberFormatException | ArithmeticException e) {
                      return complete(StatusCodes.BAD_REQUEST, "partition and offset must be whole numbers >= 0");
                    }
                    return completeWithFuture(CompletableFuture.supplyAsync(() -> {
                      var replayed = deadLetters.replay(partition, offset, listLimit);
                      log.warn("Operator replayed {} dead letter(s) (partition {}, offset {})", replayed, partition, offset);
                      return jsonResponse(Map.of("replayed", replayed));
                    }, blocking));
                  })))),
              pathEnd(() -> get(() -> completeWithFuture(
                  CompletableFuture.supplyAsync(() -> jsonResponse(Map.of("dead_letters", deadLetters.list(listLimit))),
                      blocking)))))));
        })));
  }

  private static long nonNegative(String text) {
    long value = Long.parseLong(text.strip());
    if (value < 0) {
      throw new NumberFormatException("negative: " + text);
    }
    return value;
  }

  /**
   * Pekko Management's cluster routes: reading (GET /cluster/members, /cluster/shards/{type}) is open, changing
   * (PUT or DELETE /cluster/members/{address}: leave, down) needs the admin token. They replace Management's own
   * provider, whose only protection is Basic authentication.
   */
  private Route clusterRoutes() {
    return concat(
        get(() -> ClusterHttpManagementRoutes.readOnly(cluster)),
        pathPrefixTest("cluster", () -> optionalHeaderValueByName("Authorization", authorization -> {
          if (!authorized(authorization)) {
            return complete(StatusCodes.UNAUTHORIZED, "changing the cluster needs Authorization: Bearer <herald.admin.token>");
          }
          return extractMethod(method -> {
            log.warn("Operator call {} on the cluster", method.name());
            return ClusterHttpManagementRoutes.all(cluster);
          });
        })));
  }

  /** GET: the mode in force; POST ?mode=normal|shed-telemetry|read-only[&reason=...]: switch every gateway. */
  private Route degradationRoute() {
    return path("degradation", () -> concat(
        get(() -> complete(jsonResponse(Map.of("mode", degradation.current().wireName())))),
        post(() -> parameter("mode", name -> parameterOptional("reason", reason -> {
          var mode = DegradationMode.parse(name);
          if (mode.isEmpty()) {
            return complete(StatusCodes.BAD_REQUEST, "mode must be normal, shed-telemetry or read-only");
          }
          return completeWithFuture(degradation.set(mode.get(), reason.orElse("set by an operator"))
              .thenApplyAsync(inForce -> jsonResponse(Map.of("mode", inForce.wireName())), dispatcher));
        })))));
  }

  /**
   * The read side's projections on this node (404 where search is off): GET their slices' lag and state; POST
   * {@code /{name}/rebuild}: rebuild one from the journal, for the whole cluster (docs/operations.md).
   */
  private Route projectionsRoute() {
    return pathPrefix("projections", () -> concat(
        pathEnd(() -> get(() -> search.status()
            .map(status -> complete(jsonResponse(Map.of("projections", status))))
            .orElseGet(() -> complete(StatusCodes.NOT_FOUND, SEARCH_OFF)))),
        path(PathMatchers.segment().slash("rebuild"), name -> post(() -> {
          if (!SearchOperations.PROJECTIONS.contains(name)) {
            return complete(StatusCodes.NOT_FOUND, "no projection named " + name + "; known: "
                + SearchOperations.PROJECTIONS);
          }
          return search.rebuild(name)
              .map(started -> completeWithFuture(started.handleAsync((slices, failure) -> {
                if (failure != null) {
                  log.warn("Operator's rebuild of {} failed", name, failure);
                  return HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE).withEntity(
                      "rebuild of " + name + " did not complete (" + failure.getMessage() + "); run it again");
                }
                log.warn("Operator rebuilt {} from the journal: slices {}", name, slices);
                return jsonResponse(Map.of("projection", name, "rebuilding", slices));
              }, dispatcher)))
              .orElseGet(() -> complete(StatusCodes.NOT_FOUND, SEARCH_OFF));
        }))));
  }

  private boolean authorized(Optional<String> authorization) {
    if (adminToken.isEmpty() || authorization.isEmpty() || !authorization.get().startsWith("Bearer ")) {
      return false;
    }
    var presented = authorization.get().substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, adminToken.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse jsonResponse(Object body) {
    try {
      return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.writeValueAsString(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
