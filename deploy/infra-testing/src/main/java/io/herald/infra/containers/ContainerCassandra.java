package io.herald.infra.containers;

import io.herald.infra.Cassandra;
import io.herald.infra.FreePorts;
import io.herald.infra.WireProbes;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Cassandra in the {@code cassandra:5.0} container with BATCH commit log sync (as the shared process
 * node: tests kill it). The host port is fixed before start so that a restarted container keeps it.
 */
public final class ContainerCassandra implements Cassandra, AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final int hostPort = FreePorts.pick();
    private final GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("cassandra:5.0"));

    public ContainerCassandra() {
        container.setPortBindings(List.of(hostPort + ":9042"));
        container.withEnv("MAX_HEAP_SIZE", "512M")
                .withEnv("HEAP_NEWSIZE", "128M")
                .withEnv("CASSANDRA_CLUSTER_NAME", "herald")
                .withEnv("JVM_EXTRA_OPTS", "-Dcassandra.skip_wait_for_gossip_to_settle=0")
                // The image has no setting for the sync mode: edit its yaml, then run its usual entry point.
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("bash", "-c",
                        "sed -i -e 's/^commitlog_sync: .*/commitlog_sync: batch/'"
                                + " -e 's/^commitlog_sync_period:/# commitlog_sync_period:/'"
                                + " /etc/cassandra/cassandra.yaml && exec docker-entrypoint.sh cassandra -f"))
                .waitingFor(Wait.forLogMessage(".*Starting listening for CQL clients.*", 1)
                        .withStartupTimeout(START_TIMEOUT));
    }

    @Override
    public void start() {
        if (container.getContainerId() == null) {
            container.start();
        } else {
            ContainerSupport.restart(container, START_TIMEOUT, () -> WireProbes.cassandraAnswers(host(), hostPort));
        }
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return hostPort;
    }

    @Override
    public String localDatacenter() {
        return "datacenter1";
    }

    @Override
    public void stop() {
        ContainerSupport.stop(container);
    }

    @Override
    public void kill() {
        ContainerSupport.kill(container);
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "ContainerCassandra[" + contactPoint() + "]";
    }
}
