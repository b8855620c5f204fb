package io.herald.node;

import com.typesafe.config.Config;
import io.herald.chat.conversation.ConversationEntity;
import io.herald.chat.conversation.ConversationSettings;
import io.herald.gateway.Gateway;
import io.herald.node.warmup.WarmUp;
import io.herald.search.DeviceSearchService;
import io.herald.search.SearchService;
import io.herald.search.telemetry.TelemetryService;
import io.herald.user.UserService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Herald node: a cluster member with the roles its configuration names. */
public final class HeraldNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HeraldNode.class);

  public static final String GATEWAY = "gateway";
  public static final String USER = UserService.ROLE;
  public static final String CHAT = ConversationEntity.ROLE;

  private final ActorSystem<Void> system;
  private final Integer httpPort;
  private final String managementUri;

  private HeraldNode(ActorSystem<Void> system, Integer httpPort, String managementUri) {
    this.system = system;
    this.httpPort = httpPort;
    this.managementUri = managementUri;
  }

  /** Loads the node's configuration (HeraldConfig, and HERALD_* environment overrides) and starts. */
  public static HeraldNode start() {
    return start(HeraldConfig.load());
  }

  /** Starts with a config loaded by HeraldConfig.load; refuses one where a library default stands for Herald's value. */
  public static HeraldNode start(Config loaded) {
    var config = ContactPoints.apply(HeraldConfig.withEnvironment(loaded));
    var notHeralds = HeraldConfig.libraryDefaultsInsteadOfHerald(config);
    if (!notHeralds.isEmpty()) {
      throw new IllegalStateException("the libraries' defaults stand where Herald sets these (load the configuration "
          + "with HeraldConfig.load, which layers " + HeraldConfig.LIBRARY_SETTINGS + "): " + notHeralds);
    }
    var roles = Set.copyOf(config.getStringList("pekko.cluster.roles"));
    KafkaTopics.ensure(config);

    var system = ActorSystem.<Void>create(Behaviors.empty(), "herald", config);
    try {
      // Before anything that writes: a node paused or downed must never write again.
      FenceTriggers.start(system, config);
      var cluster = Cluster.get(system);
      var managementUri = PekkoManagement.get(system.classicSystem()).start().toCompletableFuture()
          .get(30, TimeUnit.SECONDS).toString();
      switch (config.getString("herald.node.discovery")) {
        case "kubernetes-api", ContactPoints.DISCOVERY -> ClusterBootstrap.get(system.classicSystem()).start();
        case "seed-nodes" -> {
          if (config.getList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }
        }
        default -> throw new IllegalArgumentException("herald.node.discovery must be seed-nodes, "
            + ContactPoints.DISCOVERY + " or kubernetes-api");
      }

      // Every node reaches every entity type: as host where it has the role, as proxy elsewhere.
      UserService.initSharding(system, config);
      ConversationEntity.init(system, ConversationSettings.fromConfig(system, config));
      if (roles.contains(USER)) {
        UserService.start(system, config);
      }
      // Chat search: its projection on the nodes with its role, its endpoint on the gateway's port.
      var search = SearchService.enabled(config) ? List.of(SearchService.start(system, config)) : List.<SearchService>of();
      var deviceSearch = SearchService.enabled(config) ? List.of(DeviceSearchService.start(system, config))
          : List.<DeviceSearchService>of();
      // Telemetry reports: their projection on the nodes with its role, their endpoints on the gateway's port.
      var telemetry = TelemetryService.enabled(config) ? List.of(TelemetryService.start(system, config))
          : List.<TelemetryService>of();
      Integer httpPort = null;
      var warmUp = WarmUp.get(system.classicSystem());
      if (roles.contains(GATEWAY)) {
        var reads = new ArrayList<Gateway.UserReads>();
        search.forEach(service -> reads.add(service::route));
        deviceSearch.forEach(service -> reads.add(service::route));
        telemetry.forEach(service -> reads.add(service::route));
        httpPort = Gateway.start(system, config, reads)
            .binding().toCompletableFuture().get(30, TimeUnit.SECONDS)
            .localAddress().getPort();
        warmUp.start(config, httpPort, cluster.selfMember().address().toString());
      } else {
        warmUp.skip();
      }
      log.info("Herald node {} up with roles {}; management at {}", cluster.selfMember().address(), roles, managementUri);
      return new HeraldNode(system, httpPort, managementUri);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Herald node failed to start: " + e.getMessage(), e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The bound WebSocket/HTTP port, when this node has the gateway role. */
  public int httpPort() {
    if (httpPort == null) {
      throw new IllegalStateException("This node has no gateway role");
    }
    return httpPort;
  }

  public String managementUri() {
    return managementUri;
  }

  /** Leaves the cluster and stops, running CoordinatedShutdown (consumer drained, producer flushed). */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().orTimeout(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS).join();
  }
}
