package io.herald.infra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classpaths of the Kafka broker, the Cassandra server and the Solr server, resolved from Maven Central and kept apart from Herald's
 * own classpath (they bring their own netty, guava, jackson, logging...).
 *
 * <p>Each runtime is described by a small pom shipped as a resource. At first use it is written to
 * {@code ~/.herald/runtime-classpath/<name>-<hash>/} and {@code mvn dependency:build-classpath} is run on it; the
 * resulting classpath file is reused as long as the pom content (hence the hash) is unchanged and every jar still
 * exists. It lives outside {@code target/} so that {@code mvn clean} does not cost a new resolution.
 *
 * <p>The {@code mvn} executable is {@code -Dherald.mvn}, else the environment variable {@code HERALD_MVN}, else
 * {@code mvn} from the PATH.
 */
public final class RuntimeClasspath {

    private static final Logger log = LoggerFactory.getLogger(RuntimeClasspath.class);
    private static final long MVN_TIMEOUT_MINUTES = 15;
    /** A first resolution downloads 50-70 MB: a line this often says it is still going. */
    private static final long PROGRESS_INTERVAL_SECONDS = 10;
    private static final Map<String, List<Path>> RESOLVED = new ConcurrentHashMap<>();

    private RuntimeClasspath() {
    }

    static List<Path> kafka() {
        return resolve("kafka-runtime-pom.xml");
    }

    static List<Path> cassandra() {
        return resolve("cassandra-runtime-pom.xml");
    }

    /** Solr 9 (SolrCloud, with its embedded ZooKeeper) on the Jetty 10 its modules are built for. */
    public static List<Path> solr() {
        return resolve("solr-runtime-pom.xml");
    }

    static List<Path> resolve(String pomResource) {
        return RESOLVED.computeIfAbsent(pomResource, RuntimeClasspath::resolveUncached);
    }

    private static List<Path> resolveUncached(String pomResource) {
        String pom = readResource(pomResource);
        String name = pomResource.replace("-pom.xml", "");
        Path dir = cacheRoot().resolve(name + "-" + sha256(pom).substring(0, 16));
        Path classpathFile = dir.resolve("classpath.txt");
        Optional<List<Path>> cached = readComplete(classpathFile);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            Files.createDirectories(dir);
            // Another JVM (a parallel module build) may be resolving the same pom: let one do it, the other reuse it.
            try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockChannel.lock(); // released when the channel closes
                cached = readComplete(classpathFile);
                if (cached.isPresent()) {
                    return cached.get();
                }
                ChildProcess.writeAtomically(dir.resolve("pom.xml"), pom);
                Path tmp = Files.createTempFile(dir, "classpath", ".tmp");
                try {
                    // Offline first: quick, and works in offline builds once the jars are in ~/.m2.
                    if (!runMvn(dir, tmp, true)) {
                        log.info("resolving the {} classpath from Maven Central (first use, ~50-70 MB)", name);
                        if (!runMvn(dir, tmp, false)) {
                            throw new InfraStartException("mvn dependency:build-classpath failed for " + dir
                                    .resolve("pom.xml") + "\n--- " + dir.resolve("mvn.log") + " ---\n"
                                    + tail(dir.resolve("mvn.log")));
                        }
                    }
                    Files.move(tmp, classpathFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        } catch (IOException e) {
            throw new InfraStartException("could not resolve the " + name + " classpath in " + dir, e);
        }
        return readComplete(classpathFile).orElseThrow(() -> new InfraStartException(
                "mvn produced an incomplete classpath in " + classpathFile));
    }

    private static boolean runMvn(Path dir, Path outputFile, boolean offline) throws IOException {
        List<String> command = new ArrayList<>(List.of(mvnExecutable(), "-B"));
        if (offline) {
            command.addAll(List.of("-q", "-o"));
        }
        // Online, Maven logs each download into mvn.log: the progress lines below count them.
        command.addAll(List.of("-f", dir.resolve("pom.xml").toString(), "dependency:build-classpath",
                "-Dmdep.includeScope=runtime", "-Dmdep.outputFile=" + outputFile.toAbsolutePath()));
        Process mvn;
        try {
            mvn = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mvn.log").toFile()).start();
        } catch (IOException e) {
            throw new InfraStartException("cannot run '" + command.get(0) + "' (" + e.getMessage()
                    + "); put Maven on the PATH or set -Dherald.mvn / HERALD_MVN", e);
        }
        mvn.getOutputStream().close();
        try {
            long started = System.nanoTime();
            long deadline = started + TimeUnit.MINUTES.toNanos(MVN_TIMEOUT_MINUTES);
            while (!mvn.waitFor(PROGRESS_INTERVAL_SECONDS, TimeUnit.SECONDS)) {
                if (System.nanoTime() > deadline) {
                    mvn.destroyForcibly();
                    throw new InfraStartException("mvn did not resolve " + dir + " within " + MVN_TIMEOUT_MINUTES + " min");
                }
                if (!offline) {
                    log.info("still resolving {}: {} files downloaded, {} s", dir.getFileName(),
                            downloadedFiles(dir.resolve("mvn.log")), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
                }
            }
        } catch (InterruptedException e) {
            mvn.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InfraStartException("interrupted while resolving " + dir, e);
        }
        return mvn.exitValue() == 0 && Files.size(outputFile) > 0;
    }

    /** How many files Maven says it downloaded so far (its log is a few hundred lines at most). */
    private static long downloadedFiles(Path mvnLog) {
        try (var lines = Files.lines(mvnLog, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains("Downloaded from")).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static String mvnExecutable() {
        String configured = Optional.ofNullable(System.getProperty("herald.mvn")).orElse(System.getenv("HERALD_MVN"));
        return configured == null || configured.isBlank() ? "mvn" : configured;
    }

    private static Path cacheRoot() {
        return Path.of(System.getProperty("user.home"), ".herald", "runtime-classpath");
    }

    /** The classpath in the file, if the file exists and every entry still exists (a wiped ~/.m2 means resolve again). */
    private static Optional<List<Path>> readComplete(Path classpathFile) {
        if (!Files.isRegularFile(classpathFile)) {
            return Optional.empty();
        }
        try {
            String content = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
            if (content.isEmpty()) {
                return Optional.empty();
            }
            List<Path> entries = Arrays.stream(content.split(File.pathSeparator)).map(Path::of).toList();
            return entries.stream().allMatch(Files::exists) ? Optional.of(entries) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String readResource(String name) {
        try (InputStream in = RuntimeClasspath.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing next to " + RuntimeClasspath.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
