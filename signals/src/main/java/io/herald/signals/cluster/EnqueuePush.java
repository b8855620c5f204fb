package io.herald.signals.cluster;

import io.herald.protocol.device.v1.Push;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Put pushes into a user's outbox, in the order given (their seqs are assigned by the User entity), each at most once
 * per {@code causeId}; the reply comes once all are durable. Safe to repeat, which is what makes every fan-out
 * resumable. Several pushes in one signal are persisted together: one journal write for a conversation's fan-out of
 * the messages that came while the previous write was under way.
 */
public record EnqueuePush(List<Entry> entries, ActorRef<Done> replyTo) implements UserSignal {

  /** One push and the cause that makes it unique. */
  public record Entry(String causeId, Push push) {}

  public EnqueuePush {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("an EnqueuePush has at least one push");
    }
    entries = List.copyOf(entries);
  }

  public EnqueuePush(String causeId, Push push, ActorRef<Done> replyTo) {
    this(List.of(new Entry(causeId, push)), replyTo);
  }
}
