package io.herald.load.report;

/**
 * One second of a run.
 *
 * @param second seconds since the start, from 1
 * @param sent frames handed to the clients in that second
 * @param acked acks received in that second (its throughput)
 * @param nacked nacks received in that second
 * @param p99Ms send-to-ack p99 of the acks of that second
 */
public record TimelineSample(int second, long sent, long acked, long nacked, double p99Ms) {}
