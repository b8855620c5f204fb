package io.herald.infra;

/** A running single-node Cassandra for tests and local runs: a child JVM ({@link CassandraNode}) or a container. */
public interface Cassandra {

    /** Host of the CQL native transport. */
    String host();

    /** Port of the CQL native transport. */
    int port();

    /** The data center to give the driver as local, {@code datacenter1}. */
    String localDatacenter();

    /** {@code host:port}, the form the driver's {@code basic.contact-points} and pekko-persistence-cassandra take. */
    default String contactPoint() {
        return host() + ":" + port();
    }

    /** Stops the node gracefully (SIGTERM, flushing memtables) and waits until it is gone. Its data stays. */
    void stop();

    /** Starts the node again on the same ports and data, and waits until it serves CQL. */
    void start();

    /** Kills the node abruptly (SIGKILL); what survives depends on the commitlog sync mode. */
    void kill();
}
