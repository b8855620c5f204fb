package io.herald.signals.cluster;

import io.herald.protocol.device.v1.Push;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Put a push into a user's outbox (its seq is assigned by the User entity), at most once per {@code causeId}; the
 * reply comes once it is durable. Safe to repeat, which is what makes every fan-out resumable.
 */
public record EnqueuePush(String causeId, Push push, ActorRef<Done> replyTo) implements UserSignal {}
