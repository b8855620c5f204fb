package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Telemetry;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outside CoAP client: libcoap's {@code coap-client} (Debian package libcoap3-bin, installed by .ci/run) posts a
 * frame to {@code /v1/messages} and gets {@code 2.04} with a {@code ServerFrame(ack)}; the frame is in Kafka.
 */
@ExtendWith(InfraExtension.class)
class LibcoapClientTest {

  private static final String SECRET = "libcoap-client-test-secret-of-32-bytes-or-more";
  // Debian installs the binary under its TLS flavour's name; any of them speaks plain coap://.
  private static final List<String> BINARIES =
      List.of("coap-client", "coap-client-notls", "coap-client-openssl", "coap-client-gnutls");

  @Test
  void coapClientPostsAFrameAndGets204WithTheAck(Kafka kafka, @TempDir Path dir) throws Exception {
    Optional<Path> coapClient = findOnPath();
    assumeTrue(
        coapClient.isPresent(),
        "libcoap's coap-client is not installed (apt-get install libcoap3-bin; .ci/run does it): test skipped");
    IngressTopic.create(kafka);
    try (RunningGateway gateway = RunningGateway.start("libcoap-client-test", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s"))) {
      int port = gateway.coapPort();
      ClientFrame frame =
          ClientFrame.newBuilder()
              .setMessageId(UUID.randomUUID().toString())
              .setTelemetry(Telemetry.newBuilder().putReadings("temp", 19.5))
              .build();
      Path request = Files.write(dir.resolve("frame.bin"), frame.toByteArray());
      Path reply = dir.resolve("reply.bin");
      String token = Tokens.mint(SECRET, "user-" + UUID.randomUUID(), "sensor-1", Duration.ofHours(1));

      Process process =
          new ProcessBuilder(
                  coapClient.get().toString(),
                  "-m", "post",
                  "-t", "application/octet-stream",
                  "-f", request.toString(),
                  "-o", reply.toString(),
                  "-B", "30", // give up after 30 s: the test must not hang on a lost answer
                  "-v", "7", // debug: logs the response's code
                  // The token as a Uri-Query option (number 15) of its own: coap-client splits a URI's query into a
                  // 100-byte buffer, too small for a JWT. On the wire it is the same as "?access_token=...".
                  "-O", "15,access_token=" + token,
                  "coap://127.0.0.1:" + port + "/v1/messages")
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, SECONDS), "coap-client did not end");

      assertEquals(0, process.exitValue(), output);
      // The debug log prints each received PDU as "v:1 t:... c:CODE ...".
      assertTrue(output.contains(" c:2.04 "), "the response code is 2.04 Changed:\n" + output);
      assertEquals(ServerFrames.ack(frame.getMessageId()), ServerFrame.parseFrom(Files.readAllBytes(reply)), output);
      try (IngressTopic topic = IngressTopic.reader(kafka)) {
        topic.awaitMessageIds(Set.of(frame.getMessageId()), Duration.ofSeconds(30));
      }
    }
  }

  private static Optional<Path> findOnPath() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return BINARIES.stream()
        .flatMap(name -> Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
