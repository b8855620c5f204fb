package io.herald.signals.cluster;

import io.herald.protocol.device.v1.ServerFrame;

/**
 * One {@code ServerFrame(push)} for the session's client, in per-user sequence order. A session that cannot keep up
 * (its bounded buffer is full) closes with a reason; the client reconnects with its last seen seq and the User entity
 * replays from there.
 */
public record DeliverPush(ServerFrame frame) implements SessionSignal {}
