package io.herald.load;

/**
 * What the hostile user of the {@code noisy-neighbour} scenario does in each round, over and over while the others'
 * load runs (each frame of it as large as the contract allows, so every budget fills in a few rounds).
 *
 * @param chats chat messages of 16,000 characters its peer sends per round into their conversation, whose pushes
 *     neither acknowledges (the outboxes fill to {@code outbox-max-bytes}, the conversation's recent messages to
 *     {@code recent-messages-max-bytes})
 * @param parked sends of 16,000 characters per round to a conversation nobody creates ({@code parked.max-bytes})
 * @param burst heartbeats per round one of its devices sends at once (its rate limit, 100 frames/s, burst 200)
 * @param reads REST reads per round sent at once (its read rate, 20/s, burst 40)
 */
public record HostilePlan(int chats, int parked, int burst, int reads) {

  public static final HostilePlan DEFAULT = new HostilePlan(100, 80, 400, 100);

  public HostilePlan {
    for (int count : new int[] {chats, parked, burst, reads}) {
      if (count < 1 || count > 10_000) {
        throw new IllegalArgumentException("--hostile-chats, --hostile-parked, --hostile-burst and --hostile-reads "
            + "must be in [1, 10000], got " + count);
      }
    }
  }
}
