package io.herald.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.load.check.CassandraJournal;
import io.herald.client.ClientEvents;
import io.herald.client.coap.CoapDeviceClient;
import io.herald.client.DeviceClientSettings;
import io.herald.client.SendOutcome;
import io.herald.load.sim.DeviceTokens;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ReportState;
import io.herald.protocol.device.v1.Telemetry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CoAP reference client against a real node on real Kafka and Cassandra. */
@ExtendWith(InfraExtension.class)
class CoapDeviceClientTest {

  @Test
  void framesAreAckedAndAppliedInSendOrderAndPushesArriveByObservingTheInbox(Kafka kafka, Cassandra cassandra,
      @TempDir Path outbox) throws Exception {
    // Short ids: the token travels in one Uri-Query option, at most 255 bytes.
    var user = "cu-" + UUID.randomUUID().toString().substring(0, 8);
    var device = "cd-" + UUID.randomUUID().toString().substring(0, 8);
    var outcomes = new CopyOnWriteArrayList<SendOutcome>();
    var pushes = new CopyOnWriteArrayList<Push>();
    var nacks = new CopyOnWriteArrayList<String>();
    var scheduler = Executors.newSingleThreadScheduledExecutor();

    try (var node = LoadTestNode.start(kafka, cassandra)) {
      var settings = DeviceClientSettings.defaults(node.coapUri(),
          DeviceTokens.mint(node.secret(), user, device, Duration.ofMinutes(10)), outbox);
      var sent = new ArrayList<String>();
      try (var client = CoapDeviceClient.start(settings, new ClientEvents() {
        @Override
        public void onOutcome(SendOutcome outcome) {
          outcomes.add(outcome);
        }

        @Override
        public void onPush(Push push) {
          pushes.add(push);
        }

        @Override
        public void onNack(io.herald.protocol.device.v1.Nack nack) {
          nacks.add(nack.getCode() + " " + nack.getDetail());
        }

        @Override
        public void onDisconnected(String reason) {
          nacks.add("disconnected: " + reason);
        }
      }, scheduler)) {
        for (int i = 0; i < 10; i++) {
          var frame = ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
              .setTelemetry(Telemetry.newBuilder().putReadings("temp", i)).build();
          sent.add(frame.getMessageId());
          client.send(frame);
        }
        var report = ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
            .setReportState(ReportState.newBuilder().putReported("fw", "2.0")).build();
        sent.add(report.getMessageId());
        client.send(report);

        await().atMost(Duration.ofSeconds(60))
            .alias("all " + sent.size() + " frames ended (nacks seen: " + nacks + ")")
            .until(() -> outcomes.size() == sent.size());
        assertEquals(sent, outcomes.stream().map(SendOutcome::messageId).toList(), "one request at a time, in order");
        outcomes.forEach(outcome -> assertEquals(SendOutcome.Acked.class, outcome.getClass(), outcome.toString()));

        // The reported state reaches the owner's sessions, this observation among them (after the device_update of
        // its coming online).
        await().atMost(Duration.ofSeconds(60)).until(() -> pushes.stream().anyMatch(push -> push.hasDeviceUpdate()
            && "2.0".equals(push.getDeviceUpdate().getReportedMap().get("fw"))));
        var seqs = pushes.stream().map(Push::getSeq).toList();
        assertEquals(LongStream.rangeClosed(1, seqs.size()).boxed().toList(), seqs, "pushes in order, gap-free");
      }
      try (var journal = CassandraJournal.connect(new InetSocketAddress("127.0.0.1", cassandra.port()),
          cassandra.localDatacenter(), "herald")) {
        await().atMost(Duration.ofSeconds(60)).until(() -> journal.deviceMessageIds(device).size() == sent.size());
        assertEquals(sent, journal.deviceMessageIds(device), "applied once each, in send order");
      }
    } finally {
      scheduler.shutdownNow();
    }
  }
}
