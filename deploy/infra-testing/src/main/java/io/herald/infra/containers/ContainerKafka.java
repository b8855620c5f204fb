package io.herald.infra.containers;

import io.herald.infra.FreePorts;
import io.herald.infra.Kafka;
import io.herald.infra.WireProbes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A one-node Kafka (KRaft) in the {@code apache/kafka:4.1.1} container, configured like a one-broker
 * {@link io.herald.infra.KafkaCluster}.
 *
 * <p>The host port is chosen before the container starts and bound explicitly: the broker must advertise the
 * address clients reach it at, and a restarted container must come back on the same port.
 */
public final class ContainerKafka implements Kafka, AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final int hostPort = FreePorts.pick();
    private final GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("apache/kafka:4.1.1"));

    public ContainerKafka() {
        container.setPortBindings(List.of(hostPort + ":9092"));
        container.withEnv(Map.ofEntries(
                        Map.entry("CLUSTER_ID", "aGVyYWxkLWluZnJhLWthZg"),
                        Map.entry("KAFKA_NODE_ID", "1"),
                        Map.entry("KAFKA_PROCESS_ROLES", "broker,controller"),
                        Map.entry("KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:9093,"
                                + "CONTROLLER://0.0.0.0:9094"),
                        Map.entry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + container.getHost() + ":" + hostPort
                                + ",BROKER://localhost:9093"),
                        Map.entry("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                                "PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                        Map.entry("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER"),
                        Map.entry("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
                        Map.entry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9094"),
                        Map.entry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1"),
                        Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1"),
                        Map.entry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0"),
                        Map.entry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false"),
                        Map.entry("KAFKA_NUM_PARTITIONS", "1"),
                        Map.entry("KAFKA_HEAP_OPTS", "-Xmx512m")))
                .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1).withStartupTimeout(START_TIMEOUT));
    }

    public void start() {
        container.start();
    }

    @Override
    public String bootstrapServers() {
        return container.getHost() + ":" + hostPort;
    }

    @Override
    public int brokerCount() {
        return 1;
    }

    @Override
    public void stopBroker(int index) {
        Objects.checkIndex(index, 1);
        ContainerSupport.stop(container);
    }

    @Override
    public void killBroker(int index) {
        Objects.checkIndex(index, 1);
        ContainerSupport.kill(container);
    }

    @Override
    public void startBroker(int index) {
        Objects.checkIndex(index, 1);
        ContainerSupport.restart(container, START_TIMEOUT, () -> WireProbes.kafkaAnswers(container.getHost(), hostPort));
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "ContainerKafka[" + bootstrapServers() + "]";
    }
}
