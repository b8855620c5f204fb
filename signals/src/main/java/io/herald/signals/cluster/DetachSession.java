package io.herald.signals.cluster;

import org.apache.pekko.actor.typed.ActorRef;

/** The session ended; the User entity stops pushing to it. */
public record DetachSession(ActorRef<SessionSignal> session) implements UserSignal {}
