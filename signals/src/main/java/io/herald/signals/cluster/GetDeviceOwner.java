package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.DeviceOwner;
import org.apache.pekko.actor.typed.ActorRef;

/** Who owns a device (empty owner: unknown device). Answered from the entity's memory. */
public record GetDeviceOwner(ActorRef<DeviceOwner> replyTo) implements DeviceSignal {}
