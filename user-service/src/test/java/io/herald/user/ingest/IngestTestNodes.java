package io.herald.user.ingest;

import com.typesafe.config.ConfigFactory;
import io.herald.persistence.CassandraSchema;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.user.UserService;
import io.herald.user.device.DeviceEntity;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Cluster nodes with the user role (entities and the ingest pipeline) on a test topic and consumer group. */
public final class IngestTestNodes {

  private IngestTestNodes() {}

  /** A node that forms a cluster of its own ({@code seed} null) or joins the node at {@code seed}. */
  public static ActorSystem<Void> start(String bootstrap, String contactPoint, String datacenter, String topic, String group,
      String seed, Map<String, Object> overrides) {
    var settings = new HashMap<String, Object>(Map.of(
        "herald.kafka.bootstrap-servers", bootstrap,
        "herald.kafka.topics.ingress", topic,
        "herald.user.ingest.group-id", group,
        "herald.persistence.cassandra.contact-points", List.of(contactPoint),
        "herald.persistence.cassandra.local-datacenter", datacenter,
        "pekko.actor.provider", "cluster",
        "pekko.cluster.roles", List.of(UserService.ROLE),
        "pekko.remote.artery.canonical.port", 0));
    settings.putAll(overrides);
    var config = ConfigFactory.load(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultApplication()));
    CassandraSchema.create(config, Duration.ofMinutes(2));
    var system = ActorSystem.<Void>create(Behaviors.empty(), "ingest-test", config);
    var cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(seed == null ? cluster.selfMember().address() : AddressFromURIString.parse(seed)));
    UserService.initSharding(system, config);
    UserService.start(system, config);
    return system;
  }

  public static String address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().toString();
  }

  public static long upMembers(ActorSystem<?> system) {
    return java.util.stream.StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  public static long telemetryCount(ActorSystem<?> system, String device) throws Exception {
    return ClusterSharding.get(system).entityRefFor(DeviceEntity.ENTITY_KEY, device)
        .<DeviceTelemetry>ask(GetTelemetry::new, Duration.ofSeconds(10))
        .toCompletableFuture().get().getTelemetryCount();
  }

  public static IngressRecord telemetry(String user, String device, String messageId) {
    return IngressRecord.newBuilder().setMessageId(messageId).setUserId(user).setDeviceId(device)
        .setReceivedAtMs(System.currentTimeMillis()).setTransport(Transport.WEBSOCKET)
        .setFrame(ClientFrame.newBuilder().setMessageId(messageId).setTelemetry(Telemetry.newBuilder().putReadings("t", 1)))
        .build();
  }
}
