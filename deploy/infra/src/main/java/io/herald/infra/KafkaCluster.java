package io.herald.infra;

import java.io.IOException;
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
import java.util.stream.Stream;
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
 *
 * <p>Defaults where they differ from {@link LauncherBuilder}'s: heap {@code 512m} per broker (256m also works); start
 * timeout 120 s (a busy 2-core box needs ~10 s per start; with the quick-start JIT three brokers on 2 cores start in
 * ~14 s instead of ~21 s); a SIGTERM stop takes ~2 s.
 */
public final class KafkaCluster extends ChildLauncher implements Kafka {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    private final int brokers;
    private final int[] requestedBrokerPorts;
    private final int[] requestedControllerPorts;
    private final Map<String, String> extraProperties;

    private final int[] brokerPorts;
    private final int[] controllerPorts;
    // Each slot is locked only briefly, also by the parallel start threads.
    private final ChildSlot[] running;
    private String clusterId;
    private List<Path> classpath;

    private KafkaCluster(Builder b, LauncherSettings settings) {
        super(settings);
        this.brokers = b.brokers;
        this.requestedBrokerPorts = b.ports;
        this.requestedControllerPorts = b.controllerPorts;
        this.extraProperties = Map.copyOf(b.properties);
        this.brokerPorts = new int[brokers];
        this.controllerPorts = new int[brokers];
        this.running = Stream.generate(ChildSlot::new).limit(brokers).toArray(ChildSlot[]::new);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats storage where it is not formatted yet, starts every broker that does not run (in parallel) and waits
     * until each serves requests. On failure it kills the brokers it started and throws {@link InfraStartException}
     * with the log tail of the failing broker. Can be called again after {@link #close()}: same ports, same data.
     */
    @Override
    public void start() {
        synchronized (lifecycle) {
            long t0 = System.nanoTime();
            prepareOnce();
            List<Integer> stopped = IntStream.range(0, brokers).filter(i -> !running[i].isRunning()).boxed()
                    .toList();
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
                    bootstrapServers(), (System.nanoTime() - t0) / 1_000_000, dataDir());
        }
    }

    /** Also formats the storage of each broker. */
    @Override
    protected void prepare() {
        classpath = RuntimeClasspath.kafka();
        try {
            Files.createDirectories(dataDir());
            for (int i = 0; i < brokers; i++) {
                ChildProcess.reapStale(pidFile(i));
            }
            assignPortsAndClusterId();
            writeLog4jConfig();
            for (int i = 0; i < brokers; i++) {
                writeServerProperties(i);
            }
        } catch (IOException e) {
            throw new InfraStartException("could not prepare Kafka data directory " + dataDir(), e);
        }
        inParallel(this::formatIfNeeded);
    }

    @Override
    public String bootstrapServers() {
        requireStartedOnce();
        return Arrays.stream(brokerPorts).mapToObj(p -> host() + ":" + p).collect(Collectors.joining(","));
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
        return running[checkIndex(index)].pid();
    }

    @Override
    public void stopBroker(int index) {
        running[checkIndex(index)].stop(settings.stopTimeout());
    }

    @Override
    public void killBroker(int index) {
        running[checkIndex(index)].kill();
    }

    @Override
    public void startBroker(int index) {
        requireStartedOnce();
        checkIndex(index);
        synchronized (lifecycle) {
            if (running[index].isRunning()) {
                return;
            }
            startBrokerProcess(index);
        }
    }

    /** Stops every broker, in parallel. */
    @Override
    protected void stopAll() {
        inParallel(i -> stopQuietly(i, settings.stopTimeout()));
    }

    // --- start-up steps ---

    private void assignPortsAndClusterId() throws IOException {
        Properties recorded = PropertiesFiles.read(stateFile());
        clusterId = recorded.getProperty("cluster.id", newClusterId());
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = FreePorts.choose(requested(requestedBrokerPorts, i),
                    recorded.getProperty("broker." + i + ".port"));
            controllerPorts[i] = FreePorts.choose(requested(requestedControllerPorts, i),
                    recorded.getProperty("controller." + i + ".port"));
        }
        Properties state = new Properties();
        state.setProperty("cluster.id", clusterId);
        for (int i = 0; i < brokers; i++) {
            state.setProperty("broker." + i + ".port", Integer.toString(brokerPorts[i]));
            state.setProperty("controller." + i + ".port", Integer.toString(controllerPorts[i]));
        }
        PropertiesFiles.write(stateFile(), state, "Kafka cluster state kept by herald-infra: cluster id and ports");
    }

    /** The port asked for node {@code index}: 0 (any) where none or too few were given. */
    private static int requested(int[] ports, int index) {
        return ports != null && index < ports.length ? ports[index] : 0;
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
        String listeners = "PLAINTEXT://" + host() + ":" + brokerPorts[i] + ",CONTROLLER://" + host() + ":"
                + controllerPorts[i];
        p.put("listeners", listeners);
        p.put("advertised.listeners", listeners);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (brokers == 1) {
            p.put("controller.quorum.bootstrap.servers", host() + ":" + controllerPorts[0]);
        } else {
            p.put("controller.quorum.voters", IntStream.range(0, brokers)
                    .mapToObj(n -> (n + 1) + "@" + host() + ":" + controllerPorts[n])
                    .collect(Collectors.joining(",")));
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
        PropertiesFiles.write(serverProperties(i), props, "generated by herald-infra KafkaCluster");
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
                classpath, "kafka.tools.StorageTool", args, nodeDir(i), logFile(i), null), settings.startTimeout());
    }

    private void startBrokerProcess(int i) {
        long t0 = System.nanoTime();
        running[i].launch(new ChildProcess.Spec("kafka-" + i, jvmOptions(i, settings.heap()), classpath,
                "kafka.Kafka", List.of(serverProperties(i).toString()), nodeDir(i), logFile(i), pidFile(i)),
                "serving requests on " + host() + ":" + brokerPorts[i], settings.startTimeout(),
                () -> WireProbes.kafkaAnswers(host(), brokerPorts[i]));
        log.debug("kafka-{} ready in {} ms", i, (System.nanoTime() - t0) / 1_000_000);
    }

    private List<String> jvmOptions(int i, String heapSize) {
        return settings.jvmOptions(heapSize, List.of(
                "-XX:MaxGCPauseMillis=20",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jConfig().toUri(),
                "-Dkafka.logs.dir=" + nodeDir(i).resolve("logs")));
    }

    private void stopQuietly(int i, Duration grace) {
        ChildProcess child = running[i].take();
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

    // --- files ---

    private Path nodeDir(int i) {
        return dataDir().resolve("kafka-" + i);
    }

    private Path logDir(int i) {
        return nodeDir(i).resolve("data");
    }

    private Path serverProperties(int i) {
        return nodeDir(i).resolve("server.properties");
    }

    private Path logFile(int i) {
        return dataDir().resolve("kafka-" + i + ".log");
    }

    /** Where broker i's pid is recorded while it runs. */
    public Path pidFile(int i) {
        return dataDir().resolve("kafka-" + checkIndex(i) + ".pid");
    }

    private Path stateFile() {
        return dataDir().resolve("cluster.properties");
    }

    private Path log4jConfig() {
        return dataDir().resolve("log4j2.properties");
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
    public static final class Builder extends LauncherBuilder<Builder, KafkaCluster> {
        private int brokers = 1;
        private int[] ports;
        private int[] controllerPorts;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
            super("kafka", "512m", Duration.ofSeconds(120));
        }

        /** Number of nodes, each a combined broker and controller. Default 1. */
        public Builder brokers(int brokers) {
            if (brokers < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, was " + brokers);
            }
            this.brokers = brokers;
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

        @Override
        public KafkaCluster build() {
            return new KafkaCluster(this, settings());
        }
    }
}
