package io.herald.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Load is only ever aimed at this machine: a mistyped address must not turn a load test into an attack on someone
 * else's service.
 */
public final class LocalTargets {

  private LocalTargets() {}

  public static URI requireLoopback(URI url) {
    requireLoopbackHost(url.getHost(), url.toString());
    return url;
  }

  public static InetSocketAddress requireLoopback(InetSocketAddress address) {
    requireLoopbackHost(address.getHostString(), address.toString());
    return address;
  }

  private static void requireLoopbackHost(String host, String target) {
    if (host == null || !(host.equals("localhost") || isLoopbackLiteral(host))) {
      throw new NonLocalTargetException(target);
    }
  }

  /** Only literals are checked, so no name is ever looked up. */
  private static boolean isLoopbackLiteral(String host) {
    boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = host.startsWith("[") || host.contains(":");
    if (!ipv4 && !ipv6) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The target is not a loopback address (127.0.0.1, ::1 or localhost). */
  public static final class NonLocalTargetException extends IllegalArgumentException {
    public NonLocalTargetException(String target) {
      super("only loopback targets (127.0.0.1, ::1, localhost) are allowed, got " + target);
    }
  }
}
