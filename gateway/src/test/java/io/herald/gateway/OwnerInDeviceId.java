package io.herald.gateway;

import io.herald.gateway.rest.EntityQueries;
import io.herald.protocol.cluster.v1.ConversationHistory;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceOwner;
import io.herald.protocol.cluster.v1.DeviceShadow;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Device entities for gateway tests (the gateway alone has none): a device id of the form {@code OWNER/NAME} belongs
 * to OWNER, any other device id is unknown. Reads of shadows and histories are not served.
 */
final class OwnerInDeviceId implements EntityQueries {

  static String deviceOf(String owner, String name) {
    return owner + "/" + name;
  }

  /** Answers later, on a thread of its own, as the Device entity does: never before the frames after it arrived. */
  private static final ScheduledExecutorService ENTITY = Executors.newSingleThreadScheduledExecutor(task -> {
    var thread = new Thread(task, "owner-in-device-id");
    thread.setDaemon(true);
    return thread;
  });
  private static final Duration ANSWER_AFTER = Duration.ofMillis(200);

  @Override
  public CompletionStage<DeviceOwner> owner(String deviceId) {
    var slash = deviceId.indexOf('/');
    var owner = DeviceOwner.newBuilder().setDeviceId(deviceId)
        .setOwnerUserId(slash > 0 ? deviceId.substring(0, slash) : "").build();
    var answer = new CompletableFuture<DeviceOwner>();
    ENTITY.schedule(() -> answer.complete(owner), ANSWER_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    return answer;
  }

  @Override
  public CompletionStage<DeviceShadow> shadow(String deviceId, String requesterUserId) {
    return CompletableFuture.failedFuture(new NoEntitiesException());
  }

  @Override
  public CompletionStage<ConversationHistory> history(String conversationId, String requesterUserId, long afterSeq, int limit) {
    return CompletableFuture.failedFuture(new NoEntitiesException());
  }

  @Override
  public CompletionStage<ConversationList> conversations(String userId, String afterConversationId, int limit) {
    return CompletableFuture.failedFuture(new NoEntitiesException());
  }
}
