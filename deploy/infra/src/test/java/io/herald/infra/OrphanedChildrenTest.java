package io.herald.infra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A kill -9 of the JVM that launched Kafka must not leave the Kafka JVM running, nor block a later start. */
class OrphanedChildrenTest {

    private final OrphanLauncher orphan = new OrphanLauncher(OrphanLauncher.Kind.KAFKA);

    @Test
    void kafkaDiesWhenItsLauncherIsKilled() throws Exception {
        orphan.killLauncherAndAwaitOrphanGone();

        // What it left (a pid file, formatted storage, recorded ports) does not stand in the way of the next start.
        try (KafkaCluster again = KafkaCluster.builder().dataDir(orphan.dataDir()).build()) {
            again.start();
            assertTrue(WireProbes.kafkaAnswers("127.0.0.1", again.brokerPort(0)));
        }
    }

    @AfterEach
    void cleanUp() {
        orphan.cleanUp();
    }
}
