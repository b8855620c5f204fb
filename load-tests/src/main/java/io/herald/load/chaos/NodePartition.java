package io.herald.load.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A node cut off from the others in a network namespace. Not built: it is always reported as skipped, with the
 * reason. A running process cannot be moved into another namespace, so the node would have to be started in one
 * ({@code ip netns exec}); there its 127.0.0.1 is its own, and reaching the brokers, Cassandra and the other nodes on
 * the host's loopback takes a veth pair carrying 127/8 ({@code route_localnet}) or relays into the namespace, which
 * this harness does not set up. The probe says whether namespaces would be available at all.
 */
final class NodePartition implements Fault {

  private static final String PROBE_NAMESPACE = "herald-chaos-probe";

  @Override
  public String name() {
    return "node-partition";
  }

  @Override
  public String description() {
    return "a node cut off in a network namespace (ip netns, as root) - not built yet: always skipped with the reason";
  }

  @Override
  public Optional<String> cannotRunBecause() {
    String availability;
    try {
      var added = run("ip", "netns", "add", PROBE_NAMESPACE);
      if (added.exitCode() != 0) {
        availability = "'ip netns add' is not permitted here (" + added.output().strip() + ")";
      } else {
        run("ip", "netns", "delete", PROBE_NAMESPACE);
        availability = "network namespaces are available here (root)";
      }
    } catch (IOException e) {
      availability = "the ip tool (iproute2) is missing: " + e.getMessage();
    }
    return Optional.of(availability + ", but the partition scenario is not built: a node in its own namespace cannot"
        + " reach Kafka, Cassandra and the other nodes on the host's loopback without veth routing of 127/8 or relays,"
        + " which this harness does not set up");
  }

  @Override
  public void strike(ChaosCluster cluster, FaultLog log) {
    throw new UnsupportedOperationException(cannotRunBecause().orElseThrow());
  }

  private record Outcome(int exitCode, String output) {}

  private static Outcome run(String... command) throws IOException {
    var process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Outcome(-1, "timed out");
      }
      return new Outcome(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, "interrupted");
    }
  }
}
