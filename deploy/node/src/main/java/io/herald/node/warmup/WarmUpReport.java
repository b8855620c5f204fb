package io.herald.node.warmup;

import io.herald.protocol.device.v1.NackCode;
import java.util.Map;

/**
 * How a warm-up went.
 *
 * @param completed the traffic ran its duration, every frame and chat push came back and nothing went wrong
 * @param rejected frames acked and then refused by their entity (push.rejected)
 * @param problem why it stopped short or the first thing that went wrong, null if nothing did
 * @param recentAckP50Millis send→ack median of the most recent acks (the warmest the node got), NaN without acks
 * @param phases where the time went: each phase's end, in ms from the start
 */
public record WarmUpReport(boolean completed, String problem, long elapsedMillis, long sent, long acked,
    Map<NackCode, Long> refused, long rejected, long pushes, long chatPushes, double recentAckP50Millis, double recentAckP99Millis,
    String phases) {

  static WarmUpReport skipped() {
    return new WarmUpReport(true, null, 0, 0, 0, Map.of(), 0, 0, 0, Double.NaN, Double.NaN, "");
  }

  @Override
  public String toString() {
    return "%s in %,d ms: %,d frames sent, %,d acked (send→ack p50 %.1f ms, p99 %.1f ms over the last 4,096 acks), refused %s, %,d rejected by their entity, %,d pushes (%,d chat) [%s]%s"
        .formatted(completed ? "done" : "incomplete", elapsedMillis, sent, acked, recentAckP50Millis, recentAckP99Millis,
            refused, rejected, pushes, chatPushes, phases, problem == null ? "" : "; " + problem);
  }
}
