package io.herald.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Load is only ever aimed at this machine: a mistyped address must not turn a load test into an attack on someone
 * else's service. A target is local when it is loopback or an address of one of this machine's interfaces (the chaos
 * harness puts Kafka and Cassandra on the host end of a veth pair so that a node in a network namespace reaches them).
 */
public final class LocalTargets {

  private LocalTargets() {}

  public static URI requireLocal(URI url) {
    requireLocalHost(url.getHost(), url.toString());
    return url;
  }

  public static InetSocketAddress requireLocal(InetSocketAddress address) {
    requireLocalHost(address.getHostString(), address.toString());
    return address;
  }

  private static void requireLocalHost(String host, String target) {
    if (host == null || !(host.equals("localhost") || isLocalLiteral(host))) {
      throw new NonLocalTargetException(target);
    }
  }

  /** Only literals are checked, so no name is ever looked up. */
  private static boolean isLocalLiteral(String host) {
    boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = host.startsWith("[") || host.contains(":");
    if (!ipv4 && !ipv6) {
      return false;
    }
    try {
      var address = InetAddress.getByName(host);
      return address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
    } catch (UnknownHostException | SocketException e) {
      return false;
    }
  }

  /** The target is neither loopback (127.0.0.1, ::1, localhost) nor an address of this machine. */
  public static final class NonLocalTargetException extends IllegalArgumentException {
    public NonLocalTargetException(String target) {
      super("only targets on this machine (loopback or an address of its own interfaces) are allowed, got " + target);
    }
  }
}
