package io.herald.protocol.cluster;

/** What a live session actor (gateway) accepts from the cluster. */
public sealed interface SessionSignal permits DeliverPush {}
