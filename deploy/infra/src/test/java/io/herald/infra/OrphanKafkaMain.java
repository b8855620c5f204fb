package io.herald.infra;

import java.nio.file.Path;

/**
 * Run by {@link OrphanedChildrenTest} in a JVM of its own: starts a Kafka, says where, then waits to be killed.
 */
public final class OrphanKafkaMain {

    private OrphanKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        KafkaCluster kafka = KafkaCluster.builder().dataDir(Path.of(args[0])).build();
        kafka.start();
        System.out.println("READY " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
