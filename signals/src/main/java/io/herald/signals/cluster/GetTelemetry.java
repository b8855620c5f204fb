package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.DeviceTelemetry;
import org.apache.pekko.actor.typed.ActorRef;

/** Read a Device entity's telemetry summary (owner, count, each key's recent readings) from its memory. */
public record GetTelemetry(ActorRef<DeviceTelemetry> replyTo) implements DeviceSignal {}
