package io.herald.load.report;

/**
 * One second of a run.
 *
 * @param second seconds since the start, from 1
 * @param sent frames handed to the clients in that second (offered)
 * @param acked acks received in that second (its throughput)
 * @param nacked nacks received in that second
 * @param p50Ms send-to-ack median of the acks of that second
 * @param p99Ms send-to-ack p99 of the acks of that second
 * @param pushed chat messages pushed to the other members' clients in that second (the sender's own copy not
 *     counted)
 */
public record TimelineSample(int second, long sent, long acked, long nacked, double p50Ms, double p99Ms,
    long pushed) {

  /** A second without chat pushes. */
  public TimelineSample(int second, long sent, long acked, long nacked, double p50Ms, double p99Ms) {
    this(second, sent, acked, nacked, p50Ms, p99Ms, 0);
  }
}
