package io.herald.signals.cluster;

/** What a live session actor (gateway) accepts from the cluster. */
public sealed interface SessionSignal permits DeliverPush {}
