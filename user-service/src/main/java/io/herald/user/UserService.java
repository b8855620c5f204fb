package io.herald.user;

import com.typesafe.config.Config;
import io.herald.user.account.UserEntity;
import io.herald.user.account.UserSettings;
import io.herald.user.colocation.Colocation;
import io.herald.user.device.DeviceEntity;
import io.herald.user.device.DeviceSettings;
import io.herald.user.ingest.IngestSettings;
import io.herald.user.ingest.IngressConsumer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The user role of a node: User and Device entities (each registered by its own {@code init}) and the consumer of
 * herald.ingress. What is here is the wiring between them: settings from the configuration, and the users' outboxes
 * (the User entities, asked as herald.user.ingest says) where a Device puts its presence pushes.
 */
public final class UserService {

  public static final String ROLE = UserEntity.ROLE;

  private UserService() {}

  /** Registers User and Device sharding on this node (as host when it has the user role, else as proxy); once. */
  public static void initSharding(ActorSystem<?> system, Config config) {
    UserEntity.init(system, UserSettings.fromConfig(config), Colocation.fromConfig(config));
    DeviceEntity.init(system, DeviceSettings.fromConfig(config), IngestSettings.fromConfig(config).userOutboxes(system));
  }

  /** The Kafka consumer, for nodes with the user role; after {@link #initSharding}. */
  public static void start(ActorSystem<?> system, Config config) {
    IngressConsumer.start(system, IngestSettings.fromConfig(config), Colocation.fromConfig(config));
  }
}
