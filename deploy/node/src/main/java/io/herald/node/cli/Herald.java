package io.herald.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.gateway.degradation.DegradationMode;
import io.herald.node.HeraldConfig;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code herald up | node | schema | token | cluster | status | dead-letters | degradation | projection |
 * drain | stop | kill | freeze | thaw}. See README.md and docs/operations.md; {@code bin/herald} builds what is missing and runs this
 * ({@code load} and {@code chaos} it runs from load-tests), with {@code -Dherald.home} set to its repository, where the
 * default data directory {@code .herald} is. Exit codes: 0 done, 1 the command failed (a one-line reason, no stack
 * trace), 2 a usage mistake (unknown command or option, missing or malformed value), with the usage.
 */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    versionProvider = Herald.Version.class,
    description = "Herald: devices and apps over CoAP and WebSocket, through Kafka, to sharded Pekko entities on "
        + "Cassandra.",
    subcommands = {
      Herald.Up.class, Herald.NodeCommand.class, Herald.Schema.class, Herald.Token.class, Herald.Cluster.class,
      Herald.Status.class, Herald.DeadLetters.class, Herald.Degradation.class, Herald.Projection.class, Herald.Drain.class, Herald.Stop.class, Herald.Kill.class, Herald.Freeze.class, Herald.Thaw.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Also through bin/herald (from load-tests):",
      "  load     load scenarios judged by an invariant checker (load --help)",
      "  chaos    faults under load on a local cluster (chaos --list)"
    })
public final class Herald implements Runnable {

  /** The management port of the node herald up starts, with its default port. */
  static final String DEFAULT_MANAGEMENT_URL = "http://127.0.0.1:8558";

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The parser with Herald's handling of failures: a user's mistake is a sentence, not a stack trace. */
  static CommandLine commandLine() {
    return new CommandLine(new Herald())
        .setExecutionExceptionHandler((failure, line, parsed) -> {
          line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + reason(failure));
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
    @Option(names = "--data-dir",
        description = "Data of Kafka, Cassandra, Solr and the generated secrets (default: ${DEFAULT-VALUE}).")
    Path dataDir = LocalStack.defaultDataDir();

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
      runNode(HeraldConfig.load());
      return 0;
    }
  }

  @Command(name = "schema", mixinStandardHelpOptions = true,
      description = "Create the Cassandra keyspace and tables named in the configuration (idempotent).")
  static final class Schema implements Callable<Integer> {
    @Override
    public Integer call() {
      // The same variables as the node's (contact points, replication by data centre).
      CassandraSchema.create(HeraldConfig.withEnvironment(HeraldConfig.load()), Duration.ofMinutes(2));
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

    @Option(names = "--data-dir",
        description = "Where herald up keeps its generated secret (default: ${DEFAULT-VALUE}).")
    Path dataDir = LocalStack.defaultDataDir();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var lifetime = ConfigFactory.parseString("ttl = \"" + ttl + "\"").getDuration("ttl");
      var secret = LocalSecret.resolve(ConfigFactory.load().getString("herald.auth.jwt-secret"), dataDir,
          LocalSecret.JWT_SECRET_FILE);
      if (secret.generated()) {
        spec.commandLine().getErr().println("No JWT secret was configured; generated one into " + secret.file());
        spec.commandLine().getErr().flush();
      }
      // The token on standard output (for $(bin/herald token ...)); the secret itself stays in its file.
      spec.commandLine().getOut().println(Tokens.mint(secret.value(), user, device, lifetime));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "cluster", mixinStandardHelpOptions = true,
      description = "A local multi-process cluster: B Kafka brokers (RF min(3,B), min.insync.replicas 2 from 3 "
          + "brokers), one Cassandra, one Solr, N nodes; Ctrl-C stops everything.")
  static final class Cluster implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--brokers", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int brokers;

    @Option(names = "--stable-after", defaultValue = "7s",
        description = "The Split Brain Resolver's stable-after (default: ${DEFAULT-VALUE}).")
    String stableAfter;

    @Option(names = "--data-dir", description = "Default: ${DEFAULT-VALUE}.")
    Path dataDir = LocalCluster.defaultDataDir();

    @Override
    public Integer call() throws Exception {
      LocalCluster.run(nodes, brokers, stableAfter, dataDir);
      return 0;
    }
  }

  /** The options of the commands that act on a running local cluster. */
  static class ClusterDataDir {
    @Option(names = "--data-dir", description = "The cluster's data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir = LocalCluster.defaultDataDir();
  }

  /** Where the operator commands find a node's management port, and the admin token for the calls that need it. */
  static final class ManagementOptions {
    @Option(names = "--management-url", paramLabel = "URL",
        description = "The node's management port (default: ${DEFAULT-VALUE}, herald up's node).")
    String managementUrl = DEFAULT_MANAGEMENT_URL;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
        description = "The admin token (herald.admin.token), when HERALD_ADMIN_TOKEN is not set; never on the command "
            + "line (default: ${DEFAULT-VALUE}, the one herald up generates).")
    Path adminTokenFile = LocalStack.defaultDataDir().resolve(LocalSecret.ADMIN_TOKEN_FILE);

    ManagementClient reading() {
      return new ManagementClient(managementUrl);
    }

    ManagementClient withAdminToken() {
      var token = ManagementClient.adminToken(Optional.ofNullable(System.getenv(ManagementClient.ADMIN_TOKEN_VARIABLE)),
          adminTokenFile);
      return new ManagementClient(managementUrl, Optional.of(token));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"Members, shards per region, consumer lag, breaker and degradation state, the read side's lag: of "
          + "the node at --management-url, or of every node of the local cluster (--data-dir).",
          "Without either: the local cluster if bin/herald cluster runs, else herald up's node."})
  static final class Status extends ClusterDataDir implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ManagementOptions management;

    @Override
    public Integer call() throws Exception {
      var parsed = spec.commandLine().getParseResult();
      var out = spec.commandLine().getOut();
      if (parsed.hasMatchedOption("--data-dir") && parsed.hasMatchedOption("--management-url")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--data-dir (a local cluster) and "
            + "--management-url (one node) are alternatives");
      }
      if (parsed.hasMatchedOption("--data-dir")
          || !parsed.hasMatchedOption("--management-url") && LocalCluster.running(dataDir)) {
        LocalCluster.status(dataDir, out);
        return 0;
      }
      management.reading().printStatus(out, Optional.of("node at " + management.managementUrl));
      return 0;
    }
  }

  @Command(name = "dead-letters", mixinStandardHelpOptions = true,
      subcommands = {DeadLetters.ListCommand.class, DeadLetters.Replay.class},
      description = "Records the pipeline could not process (herald.dead-letter): list them, replay them to "
          + "herald.ingress. Needs the admin token.")
  static final class DeadLetters implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: list or replay");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "The dead letters (at most herald.admin.dead-letter-list-limit): partition, offset, key, "
            + "message id, size, and why the pipeline gave up on them.")
    static final class ListCommand implements Callable<Integer> {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @CommandLine.Mixin ManagementOptions management;

      @Override
      public Integer call() {
        var out = spec.commandLine().getOut();
        var letters = management.withAdminToken().get("/admin/dead-letters").path("dead_letters");
        out.println(letters.size() + " dead letter(s) at " + management.managementUrl);
        letters.forEach(letter -> out.println("  partition %d offset %d key %s message %s (%d bytes): %s%s".formatted(
            letter.path("partition").asInt(), letter.path("offset").asLong(), printable(letter.path("key").asText()),
            printable(letter.path("messageId").asText()), letter.path("bytes").asInt(),
            printable(letter.path("reason").asText()),
            letter.path("source").asText().isEmpty() ? "" : " (from " + printable(letter.path("source").asText()) + ")")));
        out.flush();
        return 0;
      }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Send dead letters back to herald.ingress with their key, value and headers: one "
            + "(--partition P --offset O), a partition's (--partition P), or all (--all).")
    static final class Replay implements Callable<Integer> {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @CommandLine.Mixin ManagementOptions management;

      @Option(names = "--partition", paramLabel = "P", description = "The dead letter's partition.")
      Integer partition;

      @Option(names = "--offset", paramLabel = "O", description = "The dead letter's offset (with --partition).")
      Long offset;

      @Option(names = "--all", description = "Every dead letter (at most herald.admin.dead-letter-list-limit).")
      boolean all;

      @Override
      public Integer call() {
        if (all == (partition != null) || offset != null && partition == null) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "say which: --partition P [--offset O], or --all");
        }
        var query = all ? "" : "?partition=" + partition + (offset == null ? "" : "&offset=" + offset);
        var replayed = management.withAdminToken().post("/admin/dead-letters/replay" + query).path("replayed").asInt();
        spec.commandLine().getOut().println("Replayed " + replayed + " dead letter(s) to herald.ingress.");
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(name = "degradation", mixinStandardHelpOptions = true,
      description = {"The cluster's degradation mode (docs/operations.md, \"Degradation switches\"); with --set, switch "
          + "every gateway: normal, shed-telemetry (telemetry and heartbeats get RETRY_LATER) or read-only (every write "
          + "does). Needs the admin token."})
  static final class Degradation implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ManagementOptions management;

    @Option(names = "--set", paramLabel = "MODE", description = "normal, shed-telemetry or read-only.")
    String mode;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Logged with the switch (with --set).")
    String reason;

    @Override
    public Integer call() {
      if (mode != null && DegradationMode.parse(mode).isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--set takes normal, shed-telemetry or read-only, not '" + mode + "'");
      }
      if (reason != null && mode == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--reason goes with --set");
      }
      var client = management.withAdminToken();
      var answer = mode == null ? client.get("/admin/degradation")
          : client.post("/admin/degradation?mode=" + mode + (reason == null ? ""
              : "&reason=" + java.net.URLEncoder.encode(reason, java.nio.charset.StandardCharsets.UTF_8)));
      spec.commandLine().getOut().println("Degradation mode: " + answer.path("mode").asText());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "projection", mixinStandardHelpOptions = true, subcommands = {Projection.Rebuild.class},
      description = "The read side's projections (docs/operations.md, \"Read side\"). Needs the admin token.")
  static final class Projection implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: rebuild");
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuild a projection from the journal, for the whole cluster: its documents and offsets are "
            + "cleared and every slice reads its tag from the start again. Search finds less until it has caught up "
            + "(herald status shows each slice's lag)."})
    static final class Rebuild implements Callable<Integer> {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @CommandLine.Mixin ManagementOptions management;

      @Parameters(index = "0", paramLabel = "NAME", defaultValue = "chat-search",
          description = "The projection (default: ${DEFAULT-VALUE}).")
      String name;

      @Override
      public Integer call() {
        var answer = management.withAdminToken().post("/admin/projections/"
            + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8) + "/rebuild");
        spec.commandLine().getOut().println("Rebuilding " + answer.path("projection").asText() + " from the journal: "
            + "slices " + answer.path("rebuilding") + " read their tags from the start.");
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = {"Make the node at --management-url leave the cluster gracefully: it hands its shards over, "
          + "drains and commits its Kafka partitions, closes its sessions, then stops (as SIGTERM does). Needs the "
          + "admin token."})
  static final class Drain implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ManagementOptions management;

    @Override
    public Integer call() {
      var client = management.withAdminToken();
      var self = client.get("/cluster/members").path("selfNode").asText();
      if (self.isEmpty()) {
        throw new IllegalStateException("the node at " + management.managementUrl + " did not say which member it is");
      }
      client.putForm("/cluster/members/" + self, "operation", "Leave");
      spec.commandLine().getOut().println("Node " + self + " is leaving the cluster; it stops once drained.");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** Text from a node, for a terminal: control characters (a record key may hold any) shown as '?'. */
  private static String printable(String text) {
    return text.replaceAll("\\p{Cntrl}", "?");
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
