package io.herald.node.warmup;

import io.herald.protocol.device.v1.NackCode;
import java.util.Map;

/**
 * How a warm-up went.
 *
 * @param completed the traffic ran its duration and every frame and chat push came back; false if it was cut short
 * @param problem why it was cut short or the first thing that went wrong, null if nothing did
 * @param recentAckP50Millis send→ack median of the most recent acks (the warmest the node got), NaN without acks
 */
public record WarmUpReport(boolean completed, String problem, long elapsedMillis, long sent, long acked,
    Map<NackCode, Long> refused, long pushes, long chatPushes, double recentAckP50Millis, double recentAckP99Millis) {

  static WarmUpReport skipped() {
    return new WarmUpReport(true, null, 0, 0, 0, Map.of(), 0, 0, Double.NaN, Double.NaN);
  }

  @Override
  public String toString() {
    return "%s in %,d ms: %,d frames sent, %,d acked (send→ack p50 %.1f ms, p99 %.1f ms over the last 4,096 acks), refused %s, %,d pushes (%,d chat)%s"
        .formatted(completed ? "done" : "cut short", elapsedMillis, sent, acked, recentAckP50Millis, recentAckP99Millis,
            refused, pushes, chatPushes, problem == null ? "" : "; " + problem);
  }
}
