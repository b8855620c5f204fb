package io.herald.signals.cluster;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * What other services may say to a Conversation entity (chat-service), addressed by Cluster Sharding under the entity
 * type name {@value #ENTITY_TYPE}. Not sealed on purpose: the Conversation entity's own commands extend it too.
 */
public interface ConversationSignal {

  String ENTITY_TYPE = "Conversation";

  EntityTypeKey<ConversationSignal> TYPE_KEY = EntityTypeKey.create(ConversationSignal.class, ENTITY_TYPE);
}
