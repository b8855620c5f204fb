package io.herald.infra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A kill -9 of the JVM that launched Kafka must not leave the Kafka JVM running, nor block a later start. */
class OrphanedChildrenTest {

    private final Path dataDir = Path.of(System.getProperty("herald.infra.dir",
            System.getProperty("java.io.tmpdir")), "orphan-test-" + UUID.randomUUID()).toAbsolutePath();
    private Process launcher;

    @Test
    void kafkaDiesWhenItsLauncherIsKilled() throws Exception {
        launcher = new ProcessBuilder(ChildProcess.javaExecutable(), "-cp", System.getProperty("java.class.path"),
                OrphanKafkaMain.class.getName(), dataDir.toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        ready.complete(line);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("launcher exited before READY"));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        }, "orphan-launcher-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(180, TimeUnit.SECONDS);

        long kafkaPid = recordedPid(dataDir.resolve("kafka-0.pid"));
        ProcessHandle kafka = ProcessHandle.of(kafkaPid).orElseThrow();
        assertTrue(kafka.isAlive());
        assertTrue(kafka.parent().map(p -> p.pid() == launcher.pid()).orElse(false),
                "the pid file names a child of the launcher");

        launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // ParentWatch polls every second, then Kafka shuts down cleanly (~2 s) or is halted after 20 s.
        await().atMost(Duration.ofSeconds(60)).until(() -> !kafka.isAlive());

        // What it left (a pid file, formatted storage, recorded ports) does not stand in the way of the next start.
        try (KafkaCluster again = KafkaCluster.builder().dataDir(dataDir).build()) {
            again.start();
            assertTrue(WireProbes.kafkaAnswers("127.0.0.1", again.brokerPort(0)));
        }
    }

    @AfterEach
    void cleanUp() {
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        // Should the test have failed, leave no broker behind: the reaper only stops what the pid file names.
        ChildProcess.reapStale(dataDir.resolve("kafka-0.pid"));
        Directories.deleteRecursively(dataDir);
    }

    private static long recordedPid(Path pidFile) throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(pidFile)) {
            props.load(in);
        }
        return Long.parseLong(props.getProperty("pid"));
    }
}
