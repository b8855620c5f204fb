package io.herald.load.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The link of a namespace carries TCP to the host end, stops carrying it (silently: the connect times out rather than
 * being refused) when cut, and carries it again when healed. Needs root; says why it did not run elsewhere.
 */
class NetworkNamespaceTest {

  /** The connect probe's own bound; `timeout` exits 124 when it expires. */
  private static final int PROBE_SECONDS = 3;
  private static final int TIMED_OUT = 124;

  @Test
  void aCutDropsTrafficSilentlyAndAHealRestoresIt() throws Exception {
    NetworkNamespace namespace;
    try {
      namespace = NetworkNamespace.create("herald-nstest", 1);
    } catch (NetworkNamespace.UnavailableException e) {
      Assumptions.abort("network namespaces are not available here: " + e.getMessage());
      return;
    }
    try (namespace; var server = new ServerSocket(0, 50, InetAddress.getByName(namespace.hostAddress()))) {
      assertEquals(0, connectFromInside(namespace, server.getLocalPort()), "the link carries TCP");
      namespace.cut();
      assertEquals(TIMED_OUT, connectFromInside(namespace, server.getLocalPort()), "a cut drops, it does not refuse");
      namespace.heal();
      assertEquals(0, connectFromInside(namespace, server.getLocalPort()), "healed, the link carries TCP again");
      assertNotEquals(namespace.hostAddress(), namespace.nodeAddress());
    }
  }

  /** Exit status of a TCP connect from inside the namespace to the host end. */
  private static int connectFromInside(NetworkNamespace namespace, int port) throws Exception {
    var command = new ArrayList<>(namespace.launcher());
    command.addAll(List.of("timeout", String.valueOf(PROBE_SECONDS), "bash", "-c",
        "exec 3<>/dev/tcp/" + namespace.hostAddress() + "/" + port));
    var process = new ProcessBuilder(command).inheritIO().start();
    if (!process.waitFor(PROBE_SECONDS + 10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the probe did not end");
    }
    return process.exitValue();
  }
}
