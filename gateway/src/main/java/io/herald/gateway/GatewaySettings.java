package io.herald.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The settings the gateway as a whole needs (see reference.conf); the endpoint's and the producer's own are read by
 * their packages.
 *
 * @param jwtSecret {@code herald.auth.jwt-secret}, never empty
 * @param ingressTopic {@code herald.kafka.topics.ingress}
 * @param httpInterface {@code herald.gateway.http.interface}
 * @param httpPort {@code herald.gateway.http.port}, 0 for any free port
 * @param terminationDeadline {@code herald.gateway.http.termination-deadline}
 */
record GatewaySettings(
    String jwtSecret, String ingressTopic, String httpInterface, int httpPort, Duration terminationDeadline) {

  static final String JWT_SECRET_PATH = "herald.auth.jwt-secret";

  /**
   * @throws ConfigException.BadValue when no JWT secret is configured: without one every token would be refused, or
   *     worse, forgeable
   */
  static GatewaySettings from(Config config) {
    String secret = config.getString(JWT_SECRET_PATH);
    if (secret.isBlank()) {
      throw new ConfigException.BadValue(
          JWT_SECRET_PATH,
          "is empty: the gateway needs the HS256 secret that signs device tokens"
              + " (set HERALD_JWT_SECRET, or herald.auth.jwt-secret)");
    }
    Config http = config.getConfig("herald.gateway.http");
    int port = http.getInt("port");
    if (port < 0 || port > 65535) {
      throw new ConfigException.BadValue(http.origin(), "port", "must be a TCP port (0 for any free one), was " + port);
    }
    return new GatewaySettings(
        secret,
        config.getString("herald.kafka.topics.ingress"),
        http.getString("interface"),
        port,
        http.getDuration("termination-deadline"));
  }

  @Override
  public String toString() {
    // A record prints all its fields; the secret must not end up in a log.
    return "GatewaySettings[ingressTopic="
        + ingressTopic
        + ", httpInterface="
        + httpInterface
        + ", httpPort="
        + httpPort
        + ", terminationDeadline="
        + terminationDeadline
        + "]";
  }
}
