package io.herald.infra.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/** Whether Testcontainers can use a Docker engine; never throws and never takes longer than asked. */
public final class DockerDetection {

    private DockerDetection() {
    }

    public static boolean isDockerAvailable(Duration timeout) {
        if (!anyDockerHint()) {
            // Testcontainers would log a page of errors to say the same; skip it when nothing points to Docker.
            return false;
        }
        CompletableFuture<Boolean> probe = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                probe.complete(DockerClientFactory.instance().isDockerAvailable());
            } catch (Throwable e) {
                probe.complete(false);
            }
        }, "herald-docker-probe");
        t.setDaemon(true);
        t.start();
        try {
            return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LoggerFactory.getLogger(DockerDetection.class).warn("no answer from Docker within {}: using processes",
                    timeout);
            return false;
        }
    }

    private static boolean anyDockerHint() {
        if (System.getenv("DOCKER_HOST") != null || System.getProperty("docker.host") != null) {
            return true;
        }
        Path home = Path.of(System.getProperty("user.home"));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        List<Path> candidates = new java.util.ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                home.resolve(".testcontainers.properties"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"),
                home.resolve(".colima/default/docker.sock"),
                home.resolve(".rd/docker.sock")));
        if (runtimeDir != null) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }
}
