package io.herald.gateway.coap;

import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.intake.Intake;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.apache.pekko.stream.Materializer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CoAP endpoint of one node ({@code coap://HOST:PORT/v1/messages} and {@code /v1/inbox}) on Eclipse Californium,
 * sharing the token verifier, the {@link Intake} and the downlink with the WebSocket endpoint.
 */
public final class CoapIngress {

  private static final Logger log = LoggerFactory.getLogger(CoapIngress.class);

  static {
    // Californium's configuration modules must be registered before a Configuration is created.
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
  }

  private final CoapServer server;
  private final CoapEndpoint endpoint;
  private final Optional<CoapEndpoint> secureEndpoint;

  private CoapIngress(CoapServer server, CoapEndpoint endpoint, Optional<CoapEndpoint> secureEndpoint) {
    this.server = server;
    this.endpoint = endpoint;
    this.secureEndpoint = secureEndpoint;
  }

  /** Binds the UDP port and starts serving. */
  public static CoapIngress start(
      CoapSettings settings,
      int maxFrameBytes,
      TokenVerifier verifier,
      Intake intake,
      Downlink downlink,
      int pushBuffer,
      Materializer materializer,
      Executor dispatcher) {
    Configuration configuration = Configuration.createStandardWithoutFile();
    // Block-wise (RFC 7959) bodies are reassembled up to this; a larger one is refused by Californium with 4.13
    // without being buffered. The margin lets a body slightly over the limit reach the resource, which answers
    // TOO_LARGE with a nack payload like the other transports.
    configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxFrameBytes + settings.blockwiseMargin());
    // Retransmitted confirmable requests are answered from the exchange store, never handled twice.
    configuration.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_MARK_AND_SWEEP);

    CoapEndpoint endpoint =
        new CoapEndpoint.Builder()
            .setConfiguration(configuration)
            .setInetSocketAddress(new InetSocketAddress(settings.bindInterface(), settings.port()))
            .build();
    CoapServer server = new CoapServer(configuration);
    server.addEndpoint(endpoint);
    Optional<CoapEndpoint> secureEndpoint = Optional.empty();
    if (settings.dtls().enabled()) {
      DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(configuration)
          .setAddress(new InetSocketAddress(settings.bindInterface(), settings.dtls().port()))
          .setAdvancedPskStore(new DerivedPskStore(settings.dtls().pskMasterSecret()))
          .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
          .set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
              CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256))
          .build();
      secureEndpoint = Optional.of(new CoapEndpoint.Builder().setConfiguration(configuration)
          .setConnector(new DTLSConnector(dtls)).build());
      server.addEndpoint(secureEndpoint.get());
    }
    CoapResource v1 = new CoapResource("v1");
    v1.add(new MessagesResource(verifier, intake, maxFrameBytes));
    v1.add(new InboxResource(verifier, downlink, pushBuffer, materializer, dispatcher, Clock.systemUTC()));
    server.add(v1);
    server.start();
    log.info("Gateway listening on coap://{}:{}/v1/messages and /v1/inbox", settings.bindInterface(),
        endpoint.getAddress().getPort());
    secureEndpoint.ifPresent(secure ->
        log.info("Gateway listening on coaps://{}:{} (DTLS, pre-shared keys)", settings.bindInterface(),
            secure.getAddress().getPort()));
    return new CoapIngress(server, endpoint, secureEndpoint);
  }

  /** The bound UDP port (the real one when the configured port was 0). */
  public int port() {
    return endpoint.getAddress().getPort();
  }

  /** The bound coaps (DTLS) port, when enabled. */
  public Optional<Integer> securePort() {
    return secureEndpoint.map(secure -> secure.getAddress().getPort());
  }

  /**
   * Stops listening and releases the port and Californium's threads. Requests still waiting for Kafka get no
   * response: their clients time out and resend with the same message id.
   */
  public void stop() {
    server.destroy();
    log.info("CoAP endpoint stopped");
  }
}
