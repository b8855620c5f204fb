package io.herald.signals.cluster;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * What other services may say to a Device entity, addressed by Cluster Sharding under the entity type name
 * {@value #ENTITY_TYPE}. Not sealed on purpose: the Device entity's own commands extend it too.
 */
public interface DeviceSignal {

  String ENTITY_TYPE = "Device";

  EntityTypeKey<DeviceSignal> TYPE_KEY = EntityTypeKey.create(DeviceSignal.class, ENTITY_TYPE);
}
