package io.herald.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code herald up | node | schema | token | cluster | status | stop | kill | freeze | thaw}. See
 * README.md; {@code bin/herald} builds what is missing and runs this ({@code load} and {@code chaos} it runs from
 * load-tests). Exit codes: 0 done, 1 the command failed (a one-line reason, no stack trace), 2 a usage mistake
 * (unknown command or option, missing or malformed value), with the usage.
 */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    versionProvider = Herald.Version.class,
    description = "Herald: devices and apps over CoAP and WebSocket, through Kafka, to sharded Pekko entities on "
        + "Cassandra.",
    subcommands = {
      Herald.Up.class, Herald.NodeCommand.class, Herald.Schema.class, Herald.Token.class, Herald.Cluster.class,
      Herald.Status.class, Herald.Stop.class, Herald.Kill.class, Herald.Freeze.class, Herald.Thaw.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Also through bin/herald (from load-tests):",
      "  load     load scenarios judged by an invariant checker (load --help)",
      "  chaos    faults under load on a local cluster (chaos --list)"
    })
public final class Herald implements Runnable {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The parser with Herald's handling of failures: a user's mistake is a sentence, not a stack trace. */
  static CommandLine commandLine() {
    return new CommandLine(new Herald())
        .setExecutionExceptionHandler((failure, line, parsed) -> {
          line.getErr().println("herald " + line.getCommandName() + ": " + reason(failure));
          line.getErr().flush();
          return 1;
        });
  }

  private static String reason(Throwable failure) {
    var message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /** {@code herald} alone: the usage, as a mistake (no command given). */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start Kafka, Cassandra, Solr and one node with all roles on this machine; Ctrl-C stops everything.")
  static final class Up implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = LocalStack.DEFAULT_DATA_DIR,
        description = "Data of Kafka, Cassandra, Solr and the generated secrets (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--cassandra-port", defaultValue = "9042", description = "Default: ${DEFAULT-VALUE}.")
    int cassandraPort;

    @Option(names = "--solr-port", defaultValue = "8983", description = "Solr's HTTP port (default: ${DEFAULT-VALUE}).")
    int solrPort;

    @Option(names = "--solr-zk-port", defaultValue = "9983",
        description = "Solr's embedded ZooKeeper (default: ${DEFAULT-VALUE}).")
    int solrZooKeeperPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "WebSocket and REST (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--coap-port", defaultValue = "5683", description = "CoAP over UDP (default: ${DEFAULT-VALUE}).")
    int coapPort;

    @Option(names = "--management-port", defaultValue = "8558",
        description = "/ready, /alive, /cluster, /metrics, /admin (default: ${DEFAULT-VALUE}).")
    int managementPort;

    @Option(names = "--remote-port", defaultValue = "25520", description = "Pekko remoting (default: ${DEFAULT-VALUE}).")
    int remotePort;

    @Override
    public Integer call() throws Exception {
      LocalStack.run(new LocalStack.Ports(kafkaPort, cassandraPort, solrPort, solrZooKeeperPort, httpPort, coapPort,
              managementPort, remotePort),
          dataDir);
      return 0;
    }
  }

  @Command(name = "node", mixinStandardHelpOptions = true,
      description = "Start a node against the Kafka and Cassandra named in its configuration (HERALD_* variables).")
  static final class NodeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      runNode(ConfigFactory.load());
      return 0;
    }
  }

  @Command(name = "schema", mixinStandardHelpOptions = true,
      description = "Create the Cassandra keyspace and tables named in the configuration (idempotent).")
  static final class Schema implements Callable<Integer> {
    @Override
    public Integer call() {
      CassandraSchema.create(ConfigFactory.load(), Duration.ofMinutes(2));
      System.out.println("Cassandra schema is in place.");
      return 0;
    }
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      description = "Print a device token signed with the configured secret, or the one herald up generated.")
  static final class Token implements Callable<Integer> {
    @Option(names = "--user", required = true, description = "The user id (the token's subject).")
    String user;

    @Option(names = "--device", required = true, description = "The device id.")
    String device;

    @Option(names = "--ttl", defaultValue = "24h", description = "Lifetime, as HOCON duration (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--data-dir", defaultValue = LocalStack.DEFAULT_DATA_DIR,
        description = "Where herald up keeps its generated secret (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      var lifetime = ConfigFactory.parseString("ttl = \"" + ttl + "\"").getDuration("ttl");
      var secret = LocalSecret.resolve(ConfigFactory.load().getString("herald.auth.jwt-secret"), dataDir,
          LocalSecret.JWT_SECRET_FILE);
      if (secret.generated()) {
        System.err.println("No JWT secret was configured; generated one into " + secret.file());
      }
      System.out.println(Tokens.mint(secret.value(), user, device, lifetime));
      return 0;
    }
  }

  @Command(name = "cluster", mixinStandardHelpOptions = true,
      description = "A local multi-process cluster: B Kafka brokers (RF min(3,B), min.insync.replicas 2 from 3 "
          + "brokers), one Cassandra, N nodes; Ctrl-C stops everything.")
  static final class Cluster implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--brokers", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int brokers;

    @Option(names = "--stable-after", defaultValue = "7s",
        description = "The Split Brain Resolver's stable-after (default: ${DEFAULT-VALUE}).")
    String stableAfter;

    @Option(names = "--data-dir", defaultValue = LocalCluster.DEFAULT_DATA_DIR, description = "Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      LocalCluster.run(nodes, brokers, stableAfter, dataDir);
      return 0;
    }
  }

  /** The options of the commands that act on a running local cluster. */
  static class ClusterDataDir {
    @Option(names = "--data-dir", defaultValue = LocalCluster.DEFAULT_DATA_DIR,
        description = "The cluster's data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Members, shards per region, consumer lag and breaker states of the local cluster.")
  static final class Status extends ClusterDataDir implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      LocalCluster.status(dataDir);
      return 0;
    }
  }

  /** A signal to node N of the local cluster. */
  abstract static class NodeSignal extends ClusterDataDir implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "N", description = "The node's number (bin/herald status lists them).")
    int node;

    abstract String signal();

    @Override
    public Integer call() throws Exception {
      LocalCluster.signal(dataDir, node, signal());
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop node N gracefully (SIGTERM).")
  static final class Stop extends NodeSignal {
    @Override
    String signal() {
      return "TERM";
    }
  }

  @Command(name = "kill", mixinStandardHelpOptions = true, description = "Crash node N (SIGKILL).")
  static final class Kill extends NodeSignal {
    @Override
    String signal() {
      return "KILL";
    }
  }

  @Command(name = "freeze", mixinStandardHelpOptions = true,
      description = "Freeze node N (SIGSTOP), e.g. to watch the Split Brain Resolver down it.")
  static final class Freeze extends NodeSignal {
    @Override
    String signal() {
      return "STOP";
    }
  }

  @Command(name = "thaw", mixinStandardHelpOptions = true, description = "Wake a frozen node N (SIGCONT).")
  static final class Thaw extends NodeSignal {
    @Override
    String signal() {
      return "CONT";
    }
  }

  /** Herald's version, from the build (herald-version.properties, filled in by Maven). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws Exception {
      var properties = new java.util.Properties();
      try (var in = Herald.class.getResourceAsStream("/herald-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"herald " + properties.getProperty("version", "(unknown version)")};
    }
  }

  static void runNode(Config config) throws InterruptedException {
    var node = HeraldNode.start(config);
    var stopped = new CountDownLatch(1);
    node.system().getWhenTerminated().thenRun(stopped::countDown);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "herald-node-stop"));
    stopped.await();
    // Downed by the Split Brain Resolver, left, or stopped: the process ends with its node (a process manager or
    // Kubernetes starts a fresh one, which joins as a new member).
    System.exit(0);
  }

  /** For tests: runs the command line with the given output and error writers, returns the exit code. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine().setOut(out).setErr(err).execute(args);
  }
}
