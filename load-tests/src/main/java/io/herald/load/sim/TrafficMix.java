package io.herald.load.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the simulated devices send, as shares of the arrivals: telemetry, shadow reports ({@code report_state}) and
 * chat ({@code chat_send} into a conversation of {@code conversationSize} simulated users). Arrivals are assigned by
 * a fixed pattern over each block of {@code telemetry + shadow + chat} arrivals, so a run is reproducible.
 *
 * @param conversationSize members per conversation (the devices are grouped in order; the last group may be smaller,
 *     and a group of one joins the previous one)
 */
public record TrafficMix(int telemetry, int shadow, int chat, int conversationSize) {

  /** What one arrival is. */
  public enum Kind { TELEMETRY, SHADOW, CHAT }

  public static final TrafficMix TELEMETRY_ONLY = new TrafficMix(100, 0, 0, 5);

  public TrafficMix {
    if (telemetry < 0 || shadow < 0 || chat < 0 || telemetry + shadow + chat == 0) {
      throw new IllegalArgumentException("the mix needs non-negative shares, not all zero");
    }
    if (conversationSize < 2) {
      throw new IllegalArgumentException("a conversation needs at least 2 members, got " + conversationSize);
    }
  }

  /** {@code telemetry=70,shadow=10,chat=20} (missing kinds are 0). */
  public static TrafficMix parse(String text, int conversationSize) {
    Map<String, Integer> shares = new LinkedHashMap<>(Map.of("telemetry", 0, "shadow", 0, "chat", 0));
    for (String part : text.split(",")) {
      String[] pair = part.strip().split("=");
      if (pair.length != 2 || !shares.containsKey(pair[0].strip())) {
        throw new IllegalArgumentException("--mix must look like telemetry=70,shadow=10,chat=20, got " + text);
      }
      try {
        shares.put(pair[0].strip(), Integer.parseInt(pair[1].strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--mix shares must be whole numbers, got " + text);
      }
    }
    return new TrafficMix(shares.get("telemetry"), shares.get("shadow"), shares.get("chat"), conversationSize);
  }

  public boolean hasChat() {
    return chat > 0;
  }

  /** The kind of the arrival with this index. */
  public Kind kindOf(long arrival) {
    long slot = Math.floorMod(arrival, (long) telemetry + shadow + chat);
    if (slot < chat) {
      return Kind.CHAT;
    }
    return slot < chat + shadow ? Kind.SHADOW : Kind.TELEMETRY;
  }

  /** {@code telemetry=70,shadow=10,chat=20}, as parsed. */
  public String describe() {
    return "telemetry=" + telemetry + ",shadow=" + shadow + ",chat=" + chat;
  }
}
