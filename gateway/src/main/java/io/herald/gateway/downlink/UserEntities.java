package io.herald.gateway.downlink;

import io.herald.signals.cluster.UserSignal;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.LoggerFactory;

/**
 * How a session reaches the User entity of its user. The seam between the gateway and Cluster Sharding: on a cluster
 * node the signal goes to the sharded entity (type {@value UserSignal#ENTITY_TYPE}); on a plain ActorSystem (the
 * gateway alone, its tests) there are no entities, so nothing is sent and no push ever arrives.
 */
@FunctionalInterface
public interface UserEntities {

  void tell(String userId, UserSignal signal);

  /** Sharding when the system's provider is the cluster's, otherwise {@link #none()}. */
  static UserEntities forSystem(ActorSystem<?> system) {
    String provider = system.settings().config().getString("pekko.actor.provider");
    if (provider.equals("cluster") || provider.equals("org.apache.pekko.cluster.ClusterActorRefProvider")) {
      ClusterSharding sharding = ClusterSharding.get(system);
      // The User entity type is initialised by the user-service (or as a proxy by the node's main program); sharding
      // buffers a signal until the shard's location is known.
      return (userId, signal) -> {
        try {
          sharding.entityRefFor(UserSignal.TYPE_KEY, userId).tell(signal);
        } catch (IllegalStateException notInitialised) {
          // Sharding refuses a type this node has not initialised (not even as a proxy): the session works, without
          // pushes. Said loudly: it is a deployment mistake.
          LoggerFactory.getLogger(UserEntities.class)
              .error("Cannot reach User entities from this node: {}", notInitialised.getMessage());
        }
      };
    }
    LoggerFactory.getLogger(UserEntities.class)
        .info("Not a cluster node (pekko.actor.provider = {}): sessions get no pushes", provider);
    return none();
  }

  /** No entities: signals are dropped. */
  static UserEntities none() {
    return (userId, signal) -> {};
  }
}
