package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.auth.Tokens;
import io.herald.gateway.coap.DerivedPskStore;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * coaps with pre-shared keys (Eclipse Scandium on both sides): a device holding the key derived for its identity
 * completes the DTLS handshake and gets 2.04 with the ack after Kafka acked; a wrong key never gets an answer.
 */
@ExtendWith(InfraExtension.class)
class CoapDtlsTest {

  private static final String SECRET = "coap-dtls-test-secret-of-32-bytes-or-more";
  private static final String MASTER = "psk-master-secret-for-tests";
  private static RunningGateway gateway;
  private static int coapsPort;

  @BeforeAll
  static void start(Kafka kafka) throws Exception {
    IngressTopic.create(kafka);
    gateway = RunningGateway.start("coap-dtls-test", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s",
        "herald.gateway.coap.dtls.enabled", true,
        "herald.gateway.coap.dtls.port", 0,
        "herald.gateway.coap.dtls.psk-master-secret", MASTER));
    gateway.httpPort();
    coapsPort = gateway.gateway.coapsPort().orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aDeviceWithItsDerivedKeyGetsTheAckOverDtls() throws Exception {
    var response = post("sensor-7", DerivedPskStore.keyFor(MASTER, "sensor-7"), Duration.ofSeconds(30));
    assertNotNull(response, "no answer over DTLS");
    assertEquals(ResponseCode.CHANGED, response.getCode());
    assertTrue(ServerFrame.parseFrom(response.getPayload()).hasAck(), "the answer is the ack");
  }

  @Test
  void aWrongKeyFailsTheHandshakeAndGetsNoAnswer() throws Exception {
    assertNull(post("sensor-8", DerivedPskStore.keyFor("another-master-secret", "sensor-8"), Duration.ofSeconds(5)),
        "a device with the wrong key was answered");
  }

  private static CoapResponse post(String identity, byte[] key, Duration timeout) throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    DtlsConfig.register();
    var configuration = Configuration.createStandardWithoutFile();
    var dtls = DtlsConnectorConfig.builder(configuration)
        .setAddress(new InetSocketAddress("127.0.0.1", 0))
        .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key))
        .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
        .set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8))
        .build();
    var endpoint = new CoapEndpoint.Builder().setConfiguration(configuration).setConnector(new DTLSConnector(dtls)).build();
    var token = Tokens.mint(SECRET, "user-" + UUID.randomUUID(), identity, Duration.ofHours(1));
    var client = new CoapClient("coaps://127.0.0.1:" + coapsPort + "/v1/messages?access_token=" + token);
    try {
      client.setEndpoint(endpoint);
      client.setTimeout(timeout.toMillis());
      var frame = ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
          .setTelemetry(Telemetry.newBuilder().putReadings("t", 1)).build();
      return client.post(frame.toByteArray(), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    } finally {
      client.shutdown();
      endpoint.destroy();
    }
  }
}
