package io.herald.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The settings the gateway as a whole needs (see reference.conf); the endpoint's and the producer's own are read by
 * their packages.
 *
 * @param ingressTopic {@code herald.kafka.topics.ingress}
 * @param httpInterface {@code herald.gateway.http.interface}
 * @param httpPort {@code herald.gateway.http.port}, 0 for any free port
 * @param terminationDeadline {@code herald.gateway.http.termination-deadline}
 * @param tls the server's key and certificate when {@code herald.gateway.http.tls.enabled} ({@code wss://},
 *     {@code https://}), else empty (plain {@code ws://}, {@code http://})
 */
record GatewaySettings(
    String ingressTopic, String httpInterface, int httpPort, Duration terminationDeadline, Optional<SSLContext> tls) {

  static GatewaySettings from(Config config) {
    Config http = config.getConfig("herald.gateway.http");
    int port = http.getInt("port");
    if (port < 0 || port > 65535) {
      throw new ConfigException.BadValue(http.origin(), "port", "must be a TCP port (0 for any free one), was " + port);
    }
    return new GatewaySettings(
        config.getString("herald.kafka.topics.ingress"),
        http.getString("interface"),
        port,
        http.getDuration("termination-deadline"),
        http.getBoolean("tls.enabled") ? Optional.of(tls(http.getConfig("tls"))) : Optional.empty());
  }

  /** The PKCS12 keystore's key and certificate chain, loaded now: a bad path or password stops the start. */
  private static SSLContext tls(Config tls) {
    String path = tls.getString("keystore-path");
    if (path.isBlank()) {
      throw new ConfigException.BadValue(tls.origin(), "keystore-path",
          "is empty: TLS needs a PKCS12 keystore with the server's key and certificate (HERALD_TLS_KEYSTORE)");
    }
    char[] password = tls.getString("keystore-password").toCharArray();
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(in, password);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      // Never quote the password.
      throw new ConfigException.BadValue(tls.origin(), "keystore-path",
          "could not load the PKCS12 keystore " + path + " with the configured password: " + e.getMessage());
    }
  }
}
