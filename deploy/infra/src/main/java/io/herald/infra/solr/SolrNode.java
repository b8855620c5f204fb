package io.herald.infra.solr;

import io.herald.infra.ChildProcess;
import io.herald.infra.ChildSlot;
import io.herald.infra.FreePorts;
import io.herald.infra.InfraStartException;
import io.herald.infra.LauncherBuilder;
import io.herald.infra.LauncherSettings;
import io.herald.infra.PropertiesFiles;
import io.herald.infra.RuntimeClasspath;
import io.herald.infra.SingleChildLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Solr 9 node in SolrCloud mode, a child JVM listening on 127.0.0.1 (or another local address, {@link
 * Builder#host}), with ZooKeeper either embedded in it (default: the single-machine setup) or external ({@link
 * Builder#zkHost}).
 *
 * <pre>{@code
 * try (SolrNode solr = SolrNode.builder().dataDir(Path.of(".herald/solr")).start()) {
 *     SolrHttpClient client = new SolrHttpClient(solr.baseUrl(), Duration.ofSeconds(5));
 *     client.uploadConfigset(SolrConfigset.chat());
 *     client.createCollection("chat", "herald-chat", 1, 1);
 * }
 * }</pre>
 *
 * <p>The child runs Jetty's own entry point ({@code org.eclipse.jetty.xml.XmlConfiguration}) on a {@code jetty.xml}
 * that wires Solr as its distribution does; Solr, Jetty and ZooKeeper come from Maven Central through
 * {@link RuntimeClasspath#solr()} and never enter Herald's classpath. Everything lives in the data directory:
 * {@code conf/} (jetty.xml, log4j2.xml), {@code home/} (solr.xml, zoo.cfg, the cores, and the embedded ZooKeeper's
 * {@code zoo_data/}), {@code solr.log} and {@code solr.pid}. The ports chosen at first start are recorded in
 * {@code ports.properties} and reused: a SolrCloud node is named by its address, and its replicas are registered in
 * ZooKeeper under that name. At a {@link #stop()} Jetty stops and the cores commit and close; after a {@link #kill()}
 * what the transaction log holds is replayed at the next start.
 *
 * <p>Defaults where they differ from {@link LauncherBuilder}'s: heap {@code 256m}; start timeout 120 s. The embedded
 * ZooKeeper listens on {@link Builder#host} too. Extra JVM options reach the configset's properties, e.g.
 * {@code -Dherald.solr.autoSoftCommit.maxTime=500}.
 */
public final class SolrNode extends SingleChildLauncher {

    private static final Logger log = LoggerFactory.getLogger(SolrNode.class);
    private static final String MAIN_CLASS = "org.eclipse.jetty.xml.XmlConfiguration";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final int requestedPort;
    private final int requestedZkPort;
    private final String externalZkHost;
    private final HttpClient probeClient = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

    private int port;
    private int zkPort;
    private List<Path> classpath;

    private SolrNode(Builder b, LauncherSettings settings) {
        super("solr", settings);
        this.requestedPort = b.port;
        this.requestedZkPort = b.zkPort;
        this.externalZkHost = b.zkHost;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Ready: healthy, that is connected to ZooKeeper and every core it hosts active. */
    @Override
    protected void launch(ChildSlot slot) {
        slot.launch(spec(jvmOptions(), classpath, MAIN_CLASS, List.of("herald.solr.host=" + host(),
                        "herald.solr.port=" + port, confDir().resolve("jetty.xml").toString())),
                "healthy at " + baseUrl(), settings.startTimeout(), this::healthy);
    }

    @Override
    protected void logReady(long millis) {
        log.info("Solr ready at {} in {} ms (ZooKeeper {}{}), data in {}", baseUrl(), millis, zkHost(),
                externalZkHost == null ? ", embedded" : "", dataDir());
    }

    /** Where Solr answers, e.g. {@code http://127.0.0.1:8983/solr}. */
    public String baseUrl() {
        requireStartedOnce();
        return "http://" + host() + ":" + port + "/solr";
    }

    public int port() {
        requireStartedOnce();
        return port;
    }

    /** The ZooKeeper connect string the node uses: the external one, or its embedded server's address. */
    public String zkHost() {
        requireStartedOnce();
        return externalZkHost != null ? externalZkHost : host() + ":" + zkPort;
    }

    /** Solr's health check: 200 once the node is live in ZooKeeper and none of its cores is down or recovering. */
    private boolean healthy() {
        try {
            HttpRequest request = HttpRequest.newBuilder(
                    URI.create(baseUrl() + "/admin/info/health?requireHealthyCores=true&wt=json"))
                    .timeout(PROBE_TIMEOUT).GET().build();
            return probeClient.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --- start-up ---

    @Override
    protected void prepare() {
        classpath = RuntimeClasspath.solr();
        try {
            Files.createDirectories(confDir());
            Files.createDirectories(homeDir());
            Files.createDirectories(dataDir().resolve("logs"));
            ChildProcess.reapStale(pidFile());
            assignPorts();
            ChildProcess.writeAtomically(confDir().resolve("jetty.xml"), resource("jetty.xml"));
            ChildProcess.writeAtomically(confDir().resolve("log4j2.xml"), log4j2Xml());
            ChildProcess.writeAtomically(homeDir().resolve("solr.xml"), resource("solr.xml"));
            if (externalZkHost == null) {
                ChildProcess.writeAtomically(homeDir().resolve("zoo.cfg"), zooCfg());
            } else {
                Files.deleteIfExists(homeDir().resolve("zoo.cfg"));
            }
        } catch (IOException e) {
            throw new InfraStartException("could not prepare Solr data directory " + dataDir(), e);
        }
    }

    private void assignPorts() throws IOException {
        Path stateFile = dataDir().resolve("ports.properties");
        Properties recorded = PropertiesFiles.read(stateFile);
        port = FreePorts.choose(requestedPort, recorded.getProperty("port"));
        zkPort = externalZkHost == null ? FreePorts.choose(requestedZkPort, recorded.getProperty("zk_port")) : 0;
        Properties state = new Properties();
        state.setProperty("port", Integer.toString(port));
        if (zkPort != 0) {
            state.setProperty("zk_port", Integer.toString(zkPort));
        }
        PropertiesFiles.write(stateFile, state, "ports of this Solr node, kept by herald-infra");
    }

    /** The embedded ZooKeeper: a standalone server on its own port, data in {@code home/zoo_data}. */
    private String zooCfg() {
        return """
                # generated by herald-infra SolrNode; rewritten at every start
                tickTime=2000
                initLimit=10
                syncLimit=5
                clientPort=%d
                admin.enableServer=false
                # ZooKeeper keeps every snapshot and log unless told otherwise
                autopurge.snapRetainCount=3
                autopurge.purgeInterval=1
                """.formatted(zkPort);
    }

    private static String log4j2Xml() {
        // To stdout, which the launcher appends to solr.log: one file to look at. Solr logs every request at INFO.
        return """
                <!-- generated by herald-infra SolrNode: start-up at INFO, the rest at WARN, to solr.log -->
                <Configuration>
                  <Appenders>
                    <Console name="STDOUT" target="SYSTEM_OUT">
                      <PatternLayout pattern="%-5level [%thread] %d{ISO8601} %c{1} - %msg%n"/>
                    </Console>
                  </Appenders>
                  <Loggers>
                    <Logger name="org.apache.solr.servlet.CoreContainerProvider" level="INFO"/>
                    <Logger name="org.apache.solr.core.CoreContainer" level="INFO"/>
                    <Logger name="org.apache.solr.cloud.SolrZkServer" level="INFO"/>
                    <Logger name="org.eclipse.jetty.server.Server" level="INFO"/>
                    <Root level="WARN"><AppenderRef ref="STDOUT"/></Root>
                  </Loggers>
                </Configuration>
                """;
    }

    private List<String> jvmOptions() {
        List<String> options = new ArrayList<>(List.of(
                "-Xss256k",
                "-Dsolr.solr.home=" + homeDir(),
                // No distribution here; Solr looks for a default zoo.cfg and its modules under it.
                "-Dsolr.install.dir=" + dataDir(),
                "-Dsolr.log.dir=" + dataDir().resolve("logs"),
                "-Dlog4j2.configurationFile=" + confDir().resolve("log4j2.xml").toUri(),
                "-Dhost=" + host(),
                "-DhostPort=" + port,
                "-Djetty.port=" + port,
                "-Djetty.host=" + host()));
        if (externalZkHost == null) {
            options.add("-DzkRun");
            options.add("-Dsolr.zk.embedded.host=" + host());
        } else {
            options.add("-DzkHost=" + externalZkHost);
        }
        return settings.jvmOptions(options);
    }

    private static String resource(String name) {
        try (InputStream in = SolrNode.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing next to " + SolrNode.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path confDir() {
        return dataDir().resolve("conf");
    }

    private Path homeDir() {
        return dataDir().resolve("home");
    }

    private void requireStartedOnce() {
        if (port == 0) {
            throw new IllegalStateException("SolrNode not started yet: call start() first");
        }
    }

    /** Configuration of a {@link SolrNode}; every setting has a default that suits tests. */
    public static final class Builder extends LauncherBuilder<Builder, SolrNode> {
        private int port;
        private int zkPort;
        private String zkHost;

        private Builder() {
            super("solr", "256m", Duration.ofSeconds(120));
        }

        /** HTTP port; 0 (default) means a free port, reused on later starts with the same data directory. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Port of the embedded ZooKeeper; 0 (default) means a free port, reused like {@link #port}. */
        public Builder zkPort(int zkPort) {
            this.zkPort = zkPort;
            return this;
        }

        /**
         * Join this ZooKeeper ensemble (connect string, e.g. {@code zk1:2181,zk2:2181/solr}) instead of running an
         * embedded one. Default: embedded.
         */
        public Builder zkHost(String zkHost) {
            this.zkHost = Objects.requireNonNull(zkHost);
            return this;
        }

        @Override
        public SolrNode build() {
            return new SolrNode(this, settings());
        }
    }
}
