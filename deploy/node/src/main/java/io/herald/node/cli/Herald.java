package io.herald.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.herald.gateway.auth.Tokens;
import io.herald.node.HeraldNode;
import io.herald.persistence.CassandraSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code herald up | node | schema | token}. See README.md; {@code bin/herald} builds what is
 * missing and runs this.
 */
public final class Herald {

  static final String USAGE = """
      usage: herald <command> [options]
        up      start Kafka, Cassandra and one node with all roles on this machine (data in ./.herald)
                  --data-dir DIR (.herald)  --kafka-port N (9092)  --cassandra-port N (9042)
                  --http-port N (8080)  --coap-port N (5683)  --management-port N (8558)  --remote-port N (25520)
        node    start a node against the Kafka and Cassandra named in its configuration
        schema  create the Cassandra keyspace and tables (idempotent)
        token   print a device token: --user U --device D [--ttl 24h] [--data-dir DIR]
        cluster a local multi-process cluster: --nodes N (3) --brokers B (3) [--data-dir .herald/cluster]
                  (B Kafka brokers with RF min(3,B) and min.insync.replicas 2 from 3 brokers, one Cassandra, N nodes)
        status  members, shards per region, consumer lag and breaker states of that cluster [--data-dir DIR]
        stop N  stop node N of that cluster gracefully (SIGTERM)   kill N  crash it (SIGKILL)
        freeze N / thaw N  SIGSTOP / SIGCONT node N (e.g. to watch the Split Brain Resolver down it)
      """;

  private Herald() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.print(USAGE);
      return;
    }
    if (List.of("stop", "kill", "freeze", "thaw").contains(args[0])) {
      if (args.length < 2) {
        throw new IllegalArgumentException(args[0] + " needs a node number\n" + USAGE);
      }
      var signal = Map.of("stop", "TERM", "kill", "KILL", "freeze", "STOP", "thaw", "CONT").get(args[0]);
      LocalCluster.signal(options(Arrays.copyOfRange(args, 2, args.length)), args[1], signal);
      return;
    }
    var options = options(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "up" -> LocalStack.run(options);
      case "node" -> runNode(ConfigFactory.load());
      case "schema" -> {
        CassandraSchema.create(ConfigFactory.load(), Duration.ofMinutes(2));
        System.out.println("Cassandra schema is in place.");
      }
      case "token" -> token(options);
      case "cluster" -> LocalCluster.run(options);
      case "status" -> LocalCluster.status(options);
      default -> {
        System.err.print("unknown command " + args[0] + "\n" + USAGE);
        System.exit(2);
      }
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

  private static void token(Map<String, String> options) throws Exception {
    var user = required(options, "user");
    var device = required(options, "device");
    var ttl = ConfigFactory.parseString("ttl = " + options.getOrDefault("ttl", "24h")).getDuration("ttl");
    var dataDir = Path.of(options.getOrDefault("data-dir", LocalStack.DEFAULT_DATA_DIR));
    var secret = LocalSecret.resolve(ConfigFactory.load().getString("herald.auth.jwt-secret"), dataDir,
        LocalSecret.JWT_SECRET_FILE);
    if (secret.generated()) {
      System.err.println("No JWT secret was configured; generated one into " + secret.file());
    }
    System.out.println(Tokens.mint(secret.value(), user, device, ttl));
  }

  static Map<String, String> options(String[] args) {
    var options = new HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i] + "\n" + USAGE);
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    var value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
    }
    return value;
  }
}
