package io.herald.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** File-tree helpers for launchers that own a data directory. */
public final class Directories {

    private Directories() {
    }

    /** Deletes a directory tree; what cannot be deleted is logged and left (cleanup must not fail a test run). */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LoggerFactory.getLogger(Directories.class).debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LoggerFactory.getLogger(Directories.class).warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
