package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Welcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} and {@code https://} on the gateway's port with a PKCS12 keystore made in the test (the JDK's
 * keytool), and a client that trusts its certificate. No Kafka: hello and the token check do not need it.
 */
class TlsTest {

  private static final String SECRET = "tls-test-secret-of-32-bytes-or-more";
  private static final String PASSWORD = "keystore-password";

  @TempDir
  static Path directory;
  private static Path keystore;
  private static RunningGateway gateway;
  private static int port;
  private static HttpClient trusting;

  @BeforeAll
  static void start() throws Exception {
    keystore = directory.resolve("gateway.p12");
    keytool("-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    gateway = RunningGateway.start("tls-test", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", "127.0.0.1:9",
        "herald.gateway.http.tls.enabled", true,
        "herald.gateway.http.tls.keystore-path", keystore.toString(),
        "herald.gateway.http.tls.keystore-password", PASSWORD));
    port = gateway.httpPort();
    trusting = HttpClient.newBuilder().sslContext(trusting(keystore)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aDeviceConnectsOverWssAndIsWelcomed() {
    String token = Tokens.mint(SECRET, "user-1", "phone", Duration.ofHours(1));
    try (WebSocketTestClient client = WebSocketTestClient.connect(trusting,
        URI.create("wss://127.0.0.1:" + port + "/v1/ws"), Map.of("Authorization", "Bearer " + token)).join()) {
      client.send(ClientFrame.newBuilder().setMessageId("hello").setHello(Hello.getDefaultInstance()).build());
      Welcome welcome = client.next().getWelcome();
      assertEquals("user-1", welcome.getUserId());
      assertEquals("phone", welcome.getDeviceId());
    }
  }

  @Test
  void restReadsAreServedOverHttps() throws Exception {
    HttpResponse<String> response = trusting.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/devices/phone/shadow")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertEquals("{\"error\":\"missing token\"}", response.body());
  }

  @Test
  void aPlainHttpRequestGetsNoAnswer() {
    assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/devices/phone/shadow"))
            .timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aWrongKeystorePasswordStopsTheStartWithAClearMessage() {
    ConfigException refused = assertThrows(ConfigException.class, () -> GatewaySettings.from(TestConfigs.gateway(
        Map.of("herald.gateway.http.tls.enabled", true,
            "herald.gateway.http.tls.keystore-path", keystore.toString(),
            "herald.gateway.http.tls.keystore-password", "not-the-password"))));
    assertTrue(refused.getMessage().contains("could not load the PKCS12 keystore " + keystore), refused.getMessage());
    assertFalse(refused.getMessage().contains("not-the-password"), "the password is not quoted");
  }

  /** A client context that trusts the keystore's certificate (and nothing else). */
  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore serverKeys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      serverKeys.load(in, PASSWORD.toCharArray());
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("gateway", serverKeys.getCertificate("gateway"));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static void keytool(String... arguments) throws Exception {
    var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
