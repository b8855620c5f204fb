package io.herald.load.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for one Herald node, joined to the host by a veth pair: the host end has {@link #hostAddress}
 * (where the brokers, Cassandra and the other nodes listen), the namespace end {@link #nodeAddress}. Addresses are
 * from 198.18.0.0/15, the range set aside for benchmarking networks (RFC 2544), so they clash with no real network.
 *
 * <p>{@link #cut} makes the link drop every frame both ways while both ends stay up, as a failed switch would: each
 * side's neighbour entry for the other names a MAC address nobody has, so frames still leave and the other end
 * discards them as not addressed to it. Nothing fails fast: connections stall, and the failure detector and the Split
 * Brain Resolver have to notice. {@link #heal} removes the entries; address resolution finds the real peer again.
 * This needs neither netem nor a packet filter, which small kernels (this machine's) lack; it needs root and iproute2.
 */
final class NetworkNamespace implements AutoCloseable {

  /** Locally administered, so no vendor's card has it, and not the veth peer's. */
  private static final String NOWHERE = "02:00:00:00:00:00";
  private static final long COMMAND_TIMEOUT_S = 10;
  /** Interface names have at most 15 characters; the links are the name plus "-h" and "-n". */
  private static final int MAX_NAME = 13;

  private final String name;
  private final String hostAddress;
  private final String nodeAddress;

  private NetworkNamespace(String name, int subnet) {
    this.name = name;
    this.hostAddress = "198.18." + subnet + ".1";
    this.nodeAddress = "198.18." + subnet + ".2";
  }

  /**
   * Creates namespace {@code name} and its link, on 198.18.{@code subnet}.0/24. A namespace of that name left behind
   * by a run that died is deleted first when no process is in it. Throws {@link UnavailableException} saying why
   * when namespaces cannot be made here (not root, no iproute2) or the name is taken by a live run.
   */
  static NetworkNamespace create(String name, int subnet) {
    if (name.length() > MAX_NAME || !name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("namespace name must be [a-z0-9-]{1," + MAX_NAME + "}, got " + name);
    }
    if (subnet < 0 || subnet > 255) {
      throw new IllegalArgumentException("subnet must be 0..255, got " + subnet);
    }
    var namespace = new NetworkNamespace(name, subnet);
    namespace.reclaimStale();
    var added = run("ip", "netns", "add", name);
    if (added.exitCode() != 0) {
      throw new UnavailableException("'ip netns add' is not permitted here (" + added.output().strip() + ")");
    }
    try {
      namespace.connect();
      return namespace;
    } catch (RuntimeException e) {
      namespace.close();
      throw e;
    }
  }

  /** The address of the host end: Kafka, Cassandra and the nodes outside listen here, reachable from inside. */
  String hostAddress() {
    return hostAddress;
  }

  /** The address of the namespace end: the node inside binds it. */
  String nodeAddress() {
    return nodeAddress;
  }

  /** The command that starts a process inside; {@code ip netns exec} execs it, so its pid is the process's own. */
  List<String> launcher() {
    return List.of("ip", "netns", "exec", name);
  }

  /** From now on every frame between the namespace and the host is dropped, silently, both ways. */
  void cut() {
    require("ip", "neigh", "replace", nodeAddress, "lladdr", NOWHERE, "dev", hostLink(), "nud", "permanent");
    require("ip", "netns", "exec", name, "ip", "neigh", "replace", hostAddress, "lladdr", NOWHERE, "dev", nodeLink(),
        "nud", "permanent");
  }

  /** Frames flow again (after address resolution, within a second). */
  void heal() {
    require("ip", "neigh", "del", nodeAddress, "dev", hostLink());
    require("ip", "netns", "exec", name, "ip", "neigh", "del", hostAddress, "dev", nodeLink());
  }

  /** Deletes the namespace; its link goes with it once no process is inside. */
  @Override
  public void close() {
    run("ip", "netns", "delete", name);
    run("ip", "link", "delete", hostLink());
  }

  private void connect() {
    require("ip", "link", "add", hostLink(), "type", "veth", "peer", "name", nodeLink());
    require("ip", "link", "set", nodeLink(), "netns", name);
    require("ip", "addr", "add", hostAddress + "/24", "dev", hostLink());
    require("ip", "link", "set", hostLink(), "up");
    require("ip", "netns", "exec", name, "ip", "addr", "add", nodeAddress + "/24", "dev", nodeLink());
    require("ip", "netns", "exec", name, "ip", "link", "set", nodeLink(), "up");
    require("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
  }

  private void reclaimStale() {
    var pids = run("ip", "netns", "pids", name);
    if (pids.exitCode() == 0 && !pids.output().isBlank()) {
      throw new UnavailableException("network namespace " + name + " is in use by pids "
          + pids.output().strip().replace('\n', ' ') + " (another chaos run?)");
    }
    if (pids.exitCode() == 0) {
      run("ip", "netns", "delete", name);
    }
    run("ip", "link", "delete", hostLink());
  }

  private String hostLink() {
    return name + "-h";
  }

  private String nodeLink() {
    return name + "-n";
  }

  private static void require(String... command) {
    var outcome = run(command);
    if (outcome.exitCode() != 0) {
      throw new UnavailableException("'" + String.join(" ", command) + "' failed (exit " + outcome.exitCode() + "): "
          + outcome.output().strip());
    }
  }

  private record Outcome(int exitCode, String output) {}

  private static Outcome run(String... command) {
    Process process;
    try {
      process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UnavailableException("cannot run '" + command[0] + "' (iproute2 missing?): " + e.getMessage());
    }
    try {
      if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Outcome(-1, "timed out after " + COMMAND_TIMEOUT_S + " s");
      }
      return new Outcome(process.exitValue(),
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Outcome(process.exitValue(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return new Outcome(-1, "interrupted");
    }
  }

  /** Namespaces cannot be made or wired here; the message says why. */
  static final class UnavailableException extends IllegalStateException {
    UnavailableException(String message) {
      super(message);
    }
  }
}
