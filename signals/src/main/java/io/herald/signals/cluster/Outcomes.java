package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.NackCode;
import java.util.List;

/** The replies every entity gives to an applied ingress record. */
public final class Outcomes {

  private Outcomes() {}

  /** Applied now, or ({@code duplicate}) already applied earlier: nothing changed this time. */
  public static IngressApplied applied(String messageId, boolean duplicate) {
    return IngressApplied.newBuilder().setMessageId(messageId).setDuplicate(duplicate).build();
  }

  /**
   * Not applicable now, perhaps later: the sender gets push.rejected(RETRY_LATER) and resends after {@code
   * retryAfterMs}. An entity answers so instead of keeping the record waiting in the pipeline.
   */
  public static IngressApplied retryLater(String messageId, long retryAfterMs, String detail) {
    return IngressApplied.newBuilder().setMessageId(messageId).setRejectedCode(NackCode.RETRY_LATER)
        .setRetryAfterMs(retryAfterMs).setDetail(detail).build();
  }

  /** Durable and acked, but refused by the entity; the sender learns it by push.rejected. */
  public static IngressApplied rejected(String messageId, NackCode code, String detail) {
    return IngressApplied.newBuilder().setMessageId(messageId).setRejectedCode(code).setDetail(detail).build();
  }

  /** The outcome with the pushes its effect causes, for the pipeline to enqueue before it commits. */
  public static IngressApplied withPushes(IngressApplied outcome, List<PushIntent> pushes) {
    return outcome.toBuilder().addAllPushes(pushes).build();
  }
}
