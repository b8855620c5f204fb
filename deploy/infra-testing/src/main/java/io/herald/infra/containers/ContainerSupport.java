package io.herald.infra.containers;

import io.herald.infra.InfraStartException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.testcontainers.containers.GenericContainer;

/** Stop, kill and restart of a running container, keeping its file system and port bindings. */
final class ContainerSupport {

    private ContainerSupport() {
    }

    static void stop(GenericContainer<?> container) {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(30).exec();
    }

    static void kill(GenericContainer<?> container) {
        container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
    }

    static void restart(GenericContainer<?> container, Duration timeout, BooleanSupplier ready) {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new InfraStartException(container.getDockerImageName() + " did not serve again within "
                        + timeout + "\n--- container log ---\n" + container.getLogs());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfraStartException("interrupted while restarting " + container.getDockerImageName(), e);
            }
        }
    }
}
