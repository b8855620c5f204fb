package io.herald.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster (KRaft) of one or more brokers, each a child JVM listening on 127.0.0.1 (or another local
 * address, {@link Builder#host}).
 *
 * <p>Every node is a combined broker and controller. With one node the quorum is a single standalone controller;
 * with N &gt; 1 nodes all of them are voters, topics default to replication factor min(3, N) with
 * {@code min.insync.replicas} 2 from three nodes on, and failure detection is tuned down to a few seconds.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.builder().dataDir(Path.of(".herald/kafka")).ports(9092).start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Data survives {@link #close()} and restarts: storage is formatted only once per data directory, and the ports
 * chosen at first start are recorded there and reused (a single KRaft controller records its own endpoint).
 * Brokers are numbered from 0; broker i has {@code node.id} i+1 and logs to {@code <dataDir>/kafka-i.log}.
 */
public final class KafkaCluster implements Kafka, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    private final String host;
    private final int brokers;
    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final int[] requestedBrokerPorts;
    private final int[] requestedControllerPorts;
    private final String heap;
    private final boolean quickStartJit;
    private final List<String> extraJvmOptions;
    private final Map<String, String> extraProperties;
    private final Duration startTimeout;
    private final Duration stopTimeout;

    private final int[] brokerPorts;
    private final int[] controllerPorts;
    private final ChildProcess[] running;
    // Held for whole starts and closes; `running` itself is locked only briefly, also by the parallel start threads.
    private final Object lifecycle = new Object();
    private String clusterId;
    private boolean prepared;
    private List<Path> classpath;

    private KafkaCluster(Builder b) {
        this.host = b.host;
        this.brokers = b.brokers;
        this.deleteDataOnClose = b.dataDir == null;
        this.dataDir = b.dataDir != null ? b.dataDir.toAbsolutePath() : createTempDir();
        this.requestedBrokerPorts = b.ports;
        this.requestedControllerPorts = b.controllerPorts;
        this.heap = b.heap;
        this.quickStartJit = b.quickStartJit;
        this.extraJvmOptions = List.copyOf(b.jvmOptions);
        this.extraProperties = Map.copyOf(b.properties);
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.brokerPorts = new int[brokers];
        this.controllerPorts = new int[brokers];
        this.running = new ChildProcess[brokers];
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats storage where it is not formatted yet, starts every broker that does not run (in parallel) and waits
     * until each serves requests. On failure it kills the brokers it started and throws {@link InfraStartException}
     * with the log tail of the failing broker. Can be called again after {@link #close()}: same ports, same data.
     */
    public void start() {
        synchronized (lifecycle) {
            startLocked();
        }
    }

    private void startLocked() {
        long t0 = System.nanoTime();
        if (!prepared) {
            prepare();
        }
        List<Integer> stopped;
        synchronized (running) {
            stopped = IntStream.range(0, brokers).filter(i -> running[i] == null || !running[i].isAlive())
                    .boxed().toList();
        }
        try {
            inParallel(i -> {
                if (stopped.contains(i)) {
                    startBrokerProcess(i);
                }
            });
        } catch (RuntimeException e) {
            inParallel(i -> {
                if (stopped.contains(i)) {
                    stopQuietly(i, Duration.ZERO);
                }
            });
            throw e;
        }
        log.info("Kafka ({} broker{}) ready at {} in {} ms, data in {}", brokers, brokers == 1 ? "" : "s",
                bootstrapServers(), (System.nanoTime() - t0) / 1_000_000, dataDir);
    }

    /** First start only: classpath, stale children, ports, configuration files, storage format. */
    private void prepare() {
        classpath = RuntimeClasspath.kafka();
        try {
            Files.createDirectories(dataDir);
            for (int i = 0; i < brokers; i++) {
                ChildProcess.reapStale(pidFile(i));
            }
            assignPortsAndClusterId();
            writeLog4jConfig();
            for (int i = 0; i < brokers; i++) {
                writeServerProperties(i);
            }
        } catch (IOException e) {
            throw new InfraStartException("could not prepare Kafka data directory " + dataDir, e);
        }
        inParallel(this::formatIfNeeded);
        prepared = true;
    }

    @Override
    public String bootstrapServers() {
        requireStartedOnce();
        return Arrays.stream(brokerPorts).mapToObj(p -> host + ":" + p).collect(Collectors.joining(","));
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    /** Port of broker {@code index}'s client (PLAINTEXT) listener. */
    public int brokerPort(int index) {
        requireStartedOnce();
        return brokerPorts[checkIndex(index)];
    }

    /** The pid of broker {@code index}'s JVM, if it runs. */
    public OptionalLong brokerPid(int index) {
        synchronized (running) {
            ChildProcess child = running[checkIndex(index)];
            return child != null && child.isAlive() ? OptionalLong.of(child.pid()) : OptionalLong.empty();
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void stopBroker(int index) {
        ChildProcess child = take(checkIndex(index));
        if (child != null) {
            child.stop(stopTimeout);
        }
    }

    @Override
    public void killBroker(int index) {
        ChildProcess child = take(checkIndex(index));
        if (child != null) {
            child.kill();
        }
    }

    @Override
    public void startBroker(int index) {
        requireStartedOnce();
        checkIndex(index);
        synchronized (lifecycle) {
            synchronized (running) {
                if (running[index] != null && running[index].isAlive()) {
                    return;
                }
            }
            startBrokerProcess(index);
        }
    }

    /** Stops every broker (SIGTERM, in parallel). Data stays unless no data directory was given. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            inParallel(i -> stopQuietly(i, stopTimeout));
            if (deleteDataOnClose) {
                Directories.deleteRecursively(dataDir);
                prepared = false; // a later start() begins afresh
            }
        }
    }

    // --- start-up steps ---

    private void assignPortsAndClusterId() throws IOException {
        Properties recorded = loadProperties(stateFile());
        clusterId = recorded.getProperty("cluster.id", newClusterId());
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = choosePort(requestedBrokerPorts, i, recorded.getProperty("broker." + i + ".port"));
            controllerPorts[i] = choosePort(requestedControllerPorts, i,
                    recorded.getProperty("controller." + i + ".port"));
        }
        Properties state = new Properties();
        state.setProperty("cluster.id", clusterId);
        for (int i = 0; i < brokers; i++) {
            state.setProperty("broker." + i + ".port", Integer.toString(brokerPorts[i]));
            state.setProperty("controller." + i + ".port", Integer.toString(controllerPorts[i]));
        }
        storeProperties(state, stateFile(), "Kafka cluster state kept by herald-infra: cluster id and ports");
    }

    private static int choosePort(int[] requested, int index, String recorded) {
        if (requested != null && index < requested.length && requested[index] != 0) {
            return requested[index];
        }
        if (recorded != null && FreePorts.isFree(Integer.parseInt(recorded))) {
            return Integer.parseInt(recorded);
        }
        return FreePorts.pick();
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-' as Kafka's own. */
    private static String newClusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private void writeServerProperties(int i) throws IOException {
        int replication = Math.min(3, brokers);
        int minInSync = brokers >= 3 ? 2 : 1;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(i + 1));
        String listeners = "PLAINTEXT://" + host + ":" + brokerPorts[i] + ",CONTROLLER://" + host + ":"
                + controllerPorts[i];
        p.put("listeners", listeners);
        p.put("advertised.listeners", listeners);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (brokers == 1) {
            p.put("controller.quorum.bootstrap.servers", host + ":" + controllerPorts[0]);
        } else {
            p.put("controller.quorum.voters", IntStream.range(0, brokers)
                    .mapToObj(n -> (n + 1) + "@" + host + ":" + controllerPorts[n]).collect(Collectors.joining(",")));
            // Defaults take 10-13 s to fence a dead broker, during which every partition it led stalls; 3-6 s here.
            p.put("broker.session.timeout.ms", "3000");
            p.put("broker.heartbeat.interval.ms", "500");
            p.put("controller.quorum.fetch.timeout.ms", "1000");
        }
        p.put("log.dirs", logDir(i).toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", Integer.toString(replication));
        p.put("min.insync.replicas", Integer.toString(minInSync));
        p.put("offsets.topic.replication.factor", Integer.toString(replication));
        p.put("transaction.state.log.replication.factor", Integer.toString(replication));
        p.put("transaction.state.log.min.isr", Integer.toString(minInSync));
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(minInSync));
        // Tests should not wait 3 s for a consumer group to form, nor get topics nobody declared.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.putAll(extraProperties);
        Properties props = new Properties();
        props.putAll(p);
        storeProperties(props, serverProperties(i), "generated by herald-infra KafkaCluster");
    }

    private void writeLog4jConfig() throws IOException {
        ChildProcess.writeAtomically(log4jConfig(), String.join("\n",
                "# generated by herald-infra: broker output goes to stdout, which the launcher appends to kafka-N.log",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = STDOUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.out.ref = STDOUT",
                "logger.statechange.name = state.change.logger",
                "logger.statechange.level = WARN",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                ""));
    }

    private void formatIfNeeded(int i) {
        if (Files.exists(logDir(i).resolve("meta.properties"))) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("format", "--config", serverProperties(i).toString(),
                "--cluster-id", clusterId));
        if (brokers == 1) {
            args.add("--standalone");
        }
        ChildProcess.runToCompletion(new ChildProcess.Spec("kafka-" + i + "-format", jvmOptions(i, "256m"),
                classpath, "kafka.tools.StorageTool", args, nodeDir(i), logFile(i), null), startTimeout);
    }

    private void startBrokerProcess(int i) {
        ChildProcess child = ChildProcess.launch(new ChildProcess.Spec("kafka-" + i, jvmOptions(i, heap), classpath,
                "kafka.Kafka", List.of(serverProperties(i).toString()), nodeDir(i), logFile(i), pidFile(i)));
        synchronized (running) {
            running[i] = child;
        }
        long t0 = System.nanoTime();
        child.awaitReady("serving requests on " + host + ":" + brokerPorts[i], startTimeout,
                () -> WireProbes.kafkaAnswers(host, brokerPorts[i]));
        log.debug("kafka-{} ready in {} ms", i, (System.nanoTime() - t0) / 1_000_000);
    }

    private List<String> jvmOptions(int i, String heapSize) {
        List<String> options = new ArrayList<>(List.of(
                "-Xmx" + heapSize,
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j2.configurationFile=" + log4jConfig().toUri(),
                "-Dkafka.logs.dir=" + nodeDir(i).resolve("logs")));
        if (quickStartJit) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        options.addAll(extraJvmOptions);
        return options;
    }

    private void stopQuietly(int i, Duration grace) {
        ChildProcess child = take(i);
        if (child == null) {
            return;
        }
        try {
            if (grace.isZero()) {
                child.kill();
            } else {
                child.stop(grace);
            }
        } catch (RuntimeException e) {
            log.warn("could not stop kafka-{}: {}", i, e.toString());
        }
    }

    /** Runs the step for every broker at once (start-up is mostly waiting), rethrowing the first failure. */
    private void inParallel(IntConsumer step) {
        if (brokers == 1) {
            step.accept(0);
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    step.accept(index);
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "herald-kafka-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfraStartException("interrupted while waiting for Kafka brokers", e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private ChildProcess take(int i) {
        synchronized (running) {
            ChildProcess child = running[i];
            running[i] = null;
            return child;
        }
    }

    // --- files ---

    private Path nodeDir(int i) {
        return dataDir.resolve("kafka-" + i);
    }

    private Path logDir(int i) {
        return nodeDir(i).resolve("data");
    }

    private Path serverProperties(int i) {
        return nodeDir(i).resolve("server.properties");
    }

    private Path logFile(int i) {
        return dataDir.resolve("kafka-" + i + ".log");
    }

    /** Where broker i's pid is recorded while it runs. */
    public Path pidFile(int i) {
        return dataDir.resolve("kafka-" + checkIndex(i) + ".pid");
    }

    private Path stateFile() {
        return dataDir.resolve("cluster.properties");
    }

    private Path log4jConfig() {
        return dataDir.resolve("log4j2.properties");
    }

    private static Properties loadProperties(Path file) throws IOException {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
        }
        return props;
    }

    private static void storeProperties(Properties props, Path file, String comment) throws IOException {
        StringWriter out = new StringWriter();
        props.store(out, comment);
        ChildProcess.writeAtomically(file, out.toString());
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("herald-kafka-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int checkIndex(int index) {
        return Objects.checkIndex(index, brokers);
    }

    private void requireStartedOnce() {
        if (clusterId == null) {
            throw new IllegalStateException("KafkaCluster not started yet: call start() first");
        }
    }

    /** Configuration of a {@link KafkaCluster}; every setting has a default that suits tests. */
    public static final class Builder {
        private int brokers = 1;
        private String host = "127.0.0.1";
        private Path dataDir;
        private int[] ports;
        private int[] controllerPorts;
        private String heap = "512m";
        private boolean quickStartJit = true;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(120);
        private Duration stopTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Number of nodes, each a combined broker and controller. Default 1. */
        public Builder brokers(int brokers) {
            if (brokers < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, was " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /** Where logs, data, configuration and pid files go. Default: a new temporary directory, deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir);
            return this;
        }

        /**
         * The address of this machine every listener binds and advertises. Default 127.0.0.1; another local address
         * lets processes in a network namespace of their own reach the brokers (the chaos harness's node-partition).
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /**
         * Client (PLAINTEXT) port of each broker, in broker order; 0 or a missing entry means a free port, reused on
         * later starts with the same data directory. Default: all free ports.
         */
        public Builder ports(int... ports) {
            this.ports = ports.clone();
            return this;
        }

        /** Controller port of each node, as for {@link #ports(int...)}. Default: free ports, reused on restart. */
        public Builder controllerPorts(int... controllerPorts) {
            this.controllerPorts = controllerPorts.clone();
            return this;
        }

        /** Maximum heap of each broker JVM, as for {@code -Xmx}. Default {@code 512m} (256m also works). */
        public Builder heap(String heap) {
            this.heap = Objects.requireNonNull(heap);
            return this;
        }

        /**
         * Whether brokers run with the C1 compiler only ({@code -XX:TieredStopAtLevel=1}). Default true: three brokers
         * on 2 cores start in ~14 s instead of ~21 s; turn it off for throughput measurements.
         */
        public Builder quickStartJit(boolean quickStartJit) {
            this.quickStartJit = quickStartJit;
            return this;
        }

        /** A broker setting applied after (and so overriding) the generated ones. */
        public Builder brokerProperty(String key, String value) {
            properties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        /** Several broker settings, as {@link #brokerProperty(String, String)}. */
        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /** Extra JVM options for the broker JVMs, appended after the defaults. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** How long a start may take before it fails. Default 120 s (a busy 2-core box needs ~10 s per start). */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout);
            return this;
        }

        /** How long a SIGTERM stop may take before the broker is killed. Default 30 s (it takes ~2 s). */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Objects.requireNonNull(stopTimeout);
            return this;
        }

        public KafkaCluster build() {
            return new KafkaCluster(this);
        }

        /** {@link #build()} and {@link KafkaCluster#start()}. */
        public KafkaCluster start() {
            KafkaCluster cluster = build();
            cluster.start();
            return cluster;
        }
    }
}
