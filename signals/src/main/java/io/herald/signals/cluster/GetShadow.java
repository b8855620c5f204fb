package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.DeviceShadow;
import org.apache.pekko.actor.typed.ActorRef;

/** Read a device's shadow for a user; only the owner gets it (found = false otherwise). Answered from memory. */
public record GetShadow(String requesterUserId, ActorRef<DeviceShadow> replyTo) implements DeviceSignal {}
