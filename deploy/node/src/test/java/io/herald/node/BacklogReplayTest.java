package io.herald.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.WebSocketTestClient;
import io.herald.gateway.auth.Tokens;
import io.herald.infra.Cassandra;
import io.herald.infra.InfraExtension;
import io.herald.infra.Kafka;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.DeviceUpdate;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Push;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that was away while 5,000 pushes piled up in its outbox reconnects: it receives all of them, in order,
 * without its session being closed for it (the push buffer holds 256: the backlog comes a page at a time, as fast as
 * the client reads).
 */
@ExtendWith(InfraExtension.class)
class BacklogReplayTest {

  private static final int BACKLOG = 5_000;

  @Test
  void aReconnectingClientGetsItsWholeBacklogWithoutAClose(Kafka kafka, Cassandra cassandra) throws Exception {
    var user = "away-" + UUID.randomUUID().toString().substring(0, 8);
    try (var node = HeraldNode.start(TestNodes.withSchema(kafka, cassandra))) {
      WalkingSkeletonTest.awaitReady(node);
      var entity = ClusterSharding.get(node.system()).entityRefFor(UserSignal.TYPE_KEY, user);
      // The backlog, 100 pushes in flight at a time (the entity persists them one after the other).
      var window = new ArrayList<CompletionStage<Done>>();
      for (int i = 1; i <= BACKLOG; i++) {
        var push = Push.newBuilder().setDeviceUpdate(DeviceUpdate.newBuilder().setDeviceId("sensor-" + i)).build();
        var cause = "backlog-" + i;
        window.add(entity.ask(replyTo -> new EnqueuePush(cause, push, replyTo), Duration.ofSeconds(30)));
        if (window.size() == 100) {
          CompletableFuture.allOf(window.stream().map(CompletionStage::toCompletableFuture)
              .toArray(CompletableFuture[]::new)).join();
          window.clear();
        }
      }
      CompletableFuture.allOf(window.stream().map(CompletionStage::toCompletableFuture)
          .toArray(CompletableFuture[]::new)).join();

      try (var client = WebSocketTestClient.connect(node.httpPort(),
          Tokens.mint(TestNodes.JWT_SECRET, user, "phone", Duration.ofMinutes(10)))) {
        client.send(ClientFrame.newBuilder().setMessageId("hello-" + user)
            .setHello(Hello.newBuilder().setLastSeq(0)).build());
        long expected = 1;
        while (expected <= BACKLOG) {
          var frame = client.receive(Duration.ofSeconds(30));
          assertTrue(frame != null, "no frame for 30 s after push " + (expected - 1) + " of " + BACKLOG);
          if (frame.hasWelcome()) {
            continue;
          }
          // A closed session says so in a last frame (a nack without message id), and is anything but a push.
          assertTrue(frame.hasPush(), "after push " + (expected - 1) + " of " + BACKLOG + ": " + frame);
          assertEquals(expected, frame.getPush().getSeq(), "pushes in order, none missing");
          expected++;
        }
      }
    }
  }
}
