package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.UserAccount;
import org.apache.pekko.actor.typed.ActorRef;

/** Read a User entity's account (its devices and conversations, live sessions, outbox position) from its memory. */
public record GetAccount(ActorRef<UserAccount> replyTo) implements UserSignal {}
