package io.herald.user;

import com.typesafe.config.Config;
import io.herald.protocol.cluster.UserSignal;
import io.herald.user.account.UserEntity;
import io.herald.user.account.UserSettings;
import io.herald.user.colocation.Colocation;
import io.herald.user.device.DeviceEntity;
import io.herald.user.device.DeviceSettings;
import io.herald.user.ingest.OwnerOutbox;
import io.herald.user.ingest.IngestSettings;
import io.herald.user.ingest.IngressConsumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** The user role of a node: hosts User and Device entities and consumes herald.ingress. */
public final class UserService {

  public static final String ROLE = "user";

  private UserService() {}

  /** Registers the sharded entities on this node (as host when it has the user role, else as proxy). */
  public static void initSharding(ActorSystem<?> system, Config config) {
    var sharding = ClusterSharding.get(system);
    var userSettings = UserSettings.fromConfig(config);
    var deviceSettings = DeviceSettings.fromConfig(config, new OwnerOutbox(system, sharding, IngestSettings.fromConfig(config))::enqueue);
    sharding.init(Colocation.fromConfig(config).apply(system,
        Entity.of(UserSignal.TYPE_KEY, context -> UserEntity.create(context.getEntityId(), userSettings))
            .withRole(ROLE)
            .withEntityProps(MailboxSelector.bounded(userSettings.mailboxCapacity()))));
    sharding.init(
        Entity.of(DeviceEntity.TYPE_KEY, context -> DeviceEntity.create(context.getEntityId(), deviceSettings))
            .withRole(ROLE)
            .withEntityProps(MailboxSelector.bounded(deviceSettings.mailboxCapacity())));
  }

  /** Sharding plus the Kafka consumer; for nodes with the user role. */
  public static void start(ActorSystem<?> system, Config config) {
    initSharding(system, config);
    IngressConsumer.start(system, IngestSettings.fromConfig(config), Colocation.fromConfig(config));
  }
}
