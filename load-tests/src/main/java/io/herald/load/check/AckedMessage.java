package io.herald.load.check;

import java.util.ArrayList;
import java.util.List;

/**
 * A frame Herald acknowledged to a device, with the device client's logical clock (ticks of one client are totally
 * ordered; ticks of different clients are not comparable).
 *
 * @param attempts how many times the frame went out
 * @param firstSentTick when it first went out
 * @param lastSentTick when it last went out
 * @param ackTick when its ack arrived
 */
public record AckedMessage(String messageId, int attempts, long firstSentTick, long lastSentTick, long ackTick) {

  public AckedMessage {
    if (attempts < 1 || firstSentTick > lastSentTick || lastSentTick > ackTick) {
      throw new IllegalArgumentException("need attempts >= 1 and firstSent <= lastSent <= ack, got " + attempts + ", "
          + firstSentTick + ", " + lastSentTick + ", " + ackTick);
    }
  }

  /**
   * The log of a device that sends one frame at a time, each on its first attempt: every frame is acked before the
   * next one goes out, so the list order is the order Herald must apply them in.
   */
  public static List<AckedMessage> oneAtATime(List<String> messageIds) {
    var log = new ArrayList<AckedMessage>(messageIds.size());
    long tick = 0;
    for (String id : messageIds) {
      long sent = ++tick;
      log.add(new AckedMessage(id, 1, sent, sent, ++tick));
    }
    return log;
  }
}
