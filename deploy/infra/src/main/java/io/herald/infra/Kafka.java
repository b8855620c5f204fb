package io.herald.infra;

/**
 * A running Kafka cluster for tests and local runs: child JVMs ({@link KafkaCluster}) or a container. Brokers are
 * numbered from 0.
 */
public interface Kafka {

    /** The {@code bootstrap.servers} value, e.g. {@code 127.0.0.1:40123}. */
    String bootstrapServers();

    int brokerCount();

    /** Stops broker {@code index} gracefully (SIGTERM) and waits until it is gone. Its data stays. */
    void stopBroker(int index);

    /** Kills broker {@code index} abruptly (SIGKILL) and waits until it is gone. */
    void killBroker(int index);

    /** Starts broker {@code index} again on the same ports and data, and waits until it serves requests. */
    void startBroker(int index);
}
