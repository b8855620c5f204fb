package io.herald.gateway;

import io.herald.gateway.rest.EntityQueries;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Device entities for gateway tests (the gateway alone has none): a device id of the form {@code OWNER/NAME} belongs
 * to OWNER, any other device id is unknown. Reads of shadows and histories are not served.
 */
final class OwnerInDeviceId implements EntityQueries {

  static String deviceOf(String owner, String name) {
    return owner + "/" + name;
  }

  @Override
  public CompletionStage<DeviceOwner> owner(String deviceId) {
    var slash = deviceId.indexOf('/');
    return CompletableFuture.completedFuture(DeviceOwner.newBuilder().setDeviceId(deviceId)
        .setOwnerUserId(slash > 0 ? deviceId.substring(0, slash) : "").build());
  }

  @Override
  public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
    return CompletableFuture.failedFuture(new NoEntitiesException());
  }

  @Override
  public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq, int limit) {
    return CompletableFuture.failedFuture(new NoEntitiesException());
  }
}
