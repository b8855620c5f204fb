package io.herald.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.gateway.auth.Tokens;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.SetDesired;
import io.herald.protocol.device.v1.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames of one CoAP device reach Kafka in the order the gateway took them, while a {@code set_desired} among them
 * waits for its ownership check: the Device entity here ({@link OwnerInDeviceId}) answers 200 ms late on a thread of
 * its own. The device sends its next request as soon as the previous one was acknowledged (the empty ACK of a
 * separate response), without waiting for the answer, as RFC 7252's NSTART = 1 allows: the gateway has taken the
 * frame by then, so the order of arrival is defined.
 */
@ExtendWith(InfraExtension.class)
class CoapOrderTest {

  private static final String SECRET = "coap-order-test-secret-of-32-bytes-or-more";

  private static RunningGateway gateway;
  private static Kafka kafka;
  private static int coapPort;
  private static CoapEndpoint clientEndpoint;

  @BeforeAll
  static void start(Kafka broker) throws Exception {
    kafka = broker;
    IngressTopic.create(kafka);
    gateway = RunningGateway.start("coap-order-test", Map.of(
        "herald.auth.jwt-secret", SECRET,
        "herald.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "herald.gateway.kafka-producer.kafka-clients.\"max.block.ms\"", "5000",
        "herald.gateway.kafka-producer.breaker.answer-timeout", "10 s"));
    coapPort = gateway.coapPort();
    CoapConfig.register();
    UdpConfig.register();
    clientEndpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
    clientEndpoint.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clientEndpoint != null) {
      clientEndpoint.destroy();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void framesOfOneDeviceReachKafkaInArrivalOrderWhileAnOwnershipCheckAnswersLate() throws Exception {
    String userId = "user-" + UUID.randomUUID();
    String token = Tokens.mint(SECRET, userId, "phone-1", Duration.ofHours(1));
    List<ClientFrame> frames = new ArrayList<>();
    frames.add(telemetry(0));
    frames.add(desired(userId, "lamp-1"));
    for (int i = 1; i <= 4; i++) {
      frames.add(telemetry(i));
    }
    frames.add(frame().setReportState(ReportState.newBuilder().putReported("mode", "eco")).build());
    frames.add(desired(userId, "lamp-2"));
    frames.add(desired(userId, "lamp-3"));
    for (int i = 5; i <= 8; i++) {
      frames.add(telemetry(i));
    }

    List<CompletableFuture<Response>> answers = new ArrayList<>();
    for (ClientFrame frame : frames) {
      answers.add(postAndAwaitTaken(token, frame));
    }
    for (int i = 0; i < frames.size(); i++) {
      Response response = answers.get(i).get(30, SECONDS);
      assertEquals(ResponseCode.CHANGED, response.getCode(), "answer to frame " + i);
      assertEquals(ServerFrames.ack(frames.get(i).getMessageId()), ServerFrame.parseFrom(response.getPayload()));
    }

    List<String> sent = frames.stream().map(ClientFrame::getMessageId).toList();
    try (IngressTopic topic = IngressTopic.reader(kafka)) {
      topic.awaitMessageIds(new HashSet<>(sent), Duration.ofSeconds(30));
      assertEquals(sent, topic.messageIdsOfKey(userId), "the device's frames in Kafka, in the order it sent them");
    }
  }

  /**
   * POSTs the frame (confirmable) and returns once the gateway acknowledged the request, with an empty ACK or with
   * the response itself; the future completes with the response.
   */
  private static CompletableFuture<Response> postAndAwaitTaken(String token, ClientFrame frame) throws Exception {
    Request request = Request.newPost();
    request.setURI("coap://127.0.0.1:" + coapPort + "/v1/messages?access_token=" + token);
    request.setPayload(frame.toByteArray());
    request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    CompletableFuture<Void> taken = new CompletableFuture<>();
    CompletableFuture<Response> answer = new CompletableFuture<>();
    request.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onAcknowledgement() {
        taken.complete(null);
      }

      @Override
      public void onResponse(Response response) {
        taken.complete(null);
        answer.complete(response);
      }
    });
    request.send(clientEndpoint);
    taken.get(30, SECONDS);
    return answer;
  }

  private static ClientFrame.Builder frame() {
    return ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString());
  }

  private static ClientFrame telemetry(int n) {
    return frame().setTelemetry(Telemetry.newBuilder().putReadings("n", n)).build();
  }

  private static ClientFrame desired(String userId, String lamp) {
    return frame().setSetDesired(SetDesired.newBuilder().setDeviceId(OwnerInDeviceId.deviceOf(userId, lamp))
        .putDesired("on", "true")).build();
  }
}
