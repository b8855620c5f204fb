package io.herald.signals.cluster;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * What other services may say to a User entity, addressed by Cluster Sharding under the entity type name
 * {@value #ENTITY_TYPE}. Not sealed on purpose: the User entity's own (internal) commands extend it too, so one
 * entity type key serves both.
 */
public interface UserSignal {

  String ENTITY_TYPE = "User";

  EntityTypeKey<UserSignal> TYPE_KEY = EntityTypeKey.create(UserSignal.class, ENTITY_TYPE);
}
