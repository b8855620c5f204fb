package io.herald.chat;

import com.typesafe.config.Config;
import io.herald.chat.conversation.ConversationEntity;
import io.herald.chat.conversation.ConversationSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** The chat role of a node: hosts Conversation entities. */
public final class ChatService {

  public static final String ROLE = "chat";

  private ChatService() {}

  /**
   * Registers Conversation sharding on this node: as host when it has the chat role, else as proxy, so every node
   * can reach conversations by entity type name.
   */
  public static void initSharding(ActorSystem<?> system, Config config) {
    var settings = ConversationSettings.fromConfig(system, config);
    ClusterSharding.get(system).init(
        Entity.of(ConversationEntity.TYPE_KEY,
                context -> ConversationEntity.create(context.getEntityId(), context.getShard(), settings))
            .withRole(ROLE)
            // Remembered in the journal: restarted on another node after a crash, so their fan-out resumes.
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)
                .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced()))
            .withEntityProps(MailboxSelector.bounded(settings.mailboxCapacity())));
  }
}
