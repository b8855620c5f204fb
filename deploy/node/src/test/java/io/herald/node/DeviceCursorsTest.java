package io.herald.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.cluster.v1.UserAccount;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.DeviceUpdate;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import io.herald.signals.cluster.UserSignal;
import io.herald.user.account.UserEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each device of a user acknowledges by its own cursor (real Kafka and Cassandra, push_ack through the pipeline): the
 * phone's push_ack does not remove from the outbox the pushes the tablet has not seen.
 */
@ExtendWith(InfraExtension.class)
class DeviceCursorsTest {

  @Test
  void aPhonesPushAckDoesNotRemoveTheTabletsPushes(Kafka kafka, Cassandra cassandra) throws Exception {
    var user = "two-devices-" + UUID.randomUUID().toString().substring(0, 8);
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var entity = ClusterSharding.get(node.system()).entityRefFor(UserSignal.TYPE_KEY, user);

      // The tablet has been here once, and has seen nothing yet.
      try (var tablet = client(node, user, "tablet")) {
        assertTrue(hello(tablet, 0).hasWelcome());
        await().atMost(Duration.ofSeconds(30)).until(() -> account(entity).containsDeviceAckedSeq("tablet"));
      }
      for (int i = 1; i <= 3; i++) {
        var push = Push.newBuilder().setDeviceUpdate(DeviceUpdate.newBuilder().setDeviceId("sensor-" + i)).build();
        var cause = "update-" + i + "-" + user;
        entity.<Done>ask(replyTo -> new EnqueuePush(cause, push, replyTo), Duration.ofSeconds(30))
            .toCompletableFuture().join();
      }

      try (var phone = client(node, user, "phone")) {
        assertTrue(hello(phone, 0).hasWelcome());
        assertEquals(List.of(1L, 2L, 3L), pushSeqs(phone, 3));
        phone.send(ClientFrame.newBuilder().setMessageId("ack-" + user).setPushAck(PushAck.newBuilder().setUpToSeq(3))
            .build());
        // Through Kafka to the User entity: applied once the phone's cursor moved.
        await().atMost(Duration.ofSeconds(60)).until(() -> account(entity).getDeviceAckedSeqOrDefault("phone", 0) == 3);
      }
      assertEquals(0, account(entity).getAckedSeq(), "nothing left the outbox: the tablet acknowledged nothing");

      try (var tablet = client(node, user, "tablet")) {
        assertTrue(hello(tablet, 0).hasWelcome());
        assertEquals(List.of(1L, 2L, 3L), pushSeqs(tablet, 3), "the tablet still gets what the phone acknowledged");
      }
    }
  }

  private static UserAccount account(EntityRef<UserSignal> entity) {
    return entity.<UserAccount>ask(GetAccount::new, Duration.ofSeconds(10)).toCompletableFuture().join();
  }

  private static WebSocketTestClient client(HeraldNode node, String user, String device) {
    return WebSocketTestClient.connect(node.httpPort(), Tokens.mint(TestNodes.JWT_SECRET, user, device, Duration.ofMinutes(10)));
  }

  private static ServerFrame hello(WebSocketTestClient client, long lastSeq) throws InterruptedException {
    return client.request(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
        .setHello(Hello.newBuilder().setLastSeq(lastSeq)).build());
  }

  /** The seqs of the next {@code count} pushes (other frames skipped). */
  private static List<Long> pushSeqs(WebSocketTestClient client, int count) throws InterruptedException {
    var seqs = new ArrayList<Long>();
    while (seqs.size() < count) {
      var frame = client.receive(Duration.ofSeconds(30));
      assertTrue(frame != null, "only " + seqs.size() + " of " + count + " pushes within 30 s");
      if (frame.hasPush()) {
        seqs.add(frame.getPush().getSeq());
      }
    }
    return seqs;
  }
}
