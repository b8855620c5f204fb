package io.herald.gateway.downlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.ChatMessage;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.UserSignal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The session actor between a User entity (a probe here) and a session's push queue. */
class SessionActorTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final DeviceIdentity DEVICE = new DeviceIdentity("user-1", "phone-1");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void attachesWithTheResumePointDeliversPushesAndDetachesWhenTheConnectionEnds() {
    TestProbe<UserSignal> entity = testKit.createTestProbe();
    TestProbe<ServerFrame> client = testKit.createTestProbe();
    BoundedSourceQueue<ServerFrame> pushes =
        Source.<ServerFrame>queue(8).to(Sink.foreach(client.ref()::tell)).run(testKit.system());

    ActorRef<Object> session =
        testKit.spawn(SessionActor.create(DEVICE, 41, pushes, 8, Duration.ofMinutes(10), (userId, signal) -> entity.ref().tell(signal)));
    AttachSession attach = entity.expectMessageClass(AttachSession.class);
    assertEquals("phone-1", attach.deviceId());
    assertEquals(41, attach.lastSeq());

    attach.session().tell(new DeliverPush(push(42)));
    attach.session().tell(new DeliverPush(push(43)));
    assertEquals(push(42), client.receiveMessage());
    assertEquals(push(43), client.receiveMessage());

    session.tell(SessionActor.Ended.INSTANCE);
    assertEquals(new DetachSession(attach.session()), entity.expectMessageClass(DetachSession.class));
    entity.expectTerminated(session, Duration.ofSeconds(5));
  }

  @Test
  void reattachesWithTheLastDeliveredSeqSoARestartedEntityReplaysAndDropsWhatWasDeliveredAlready() {
    TestProbe<UserSignal> entity = testKit.createTestProbe();
    TestProbe<ServerFrame> client = testKit.createTestProbe();
    BoundedSourceQueue<ServerFrame> pushes =
        Source.<ServerFrame>queue(8).to(Sink.foreach(client.ref()::tell)).run(testKit.system());

    testKit.spawn(SessionActor.create(DEVICE, 0, pushes, 8, Duration.ofMillis(200),
        (userId, signal) -> entity.ref().tell(signal)));
    var session = entity.expectMessageClass(AttachSession.class).session();
    session.tell(new DeliverPush(push(1)));
    session.tell(new DeliverPush(push(2)));
    assertEquals(push(1), client.receiveMessage());
    assertEquals(push(2), client.receiveMessage());

    // The entity restarted and forgot the session: the next attach tells it where the session is.
    List<UserSignal> fished = entity.fishForMessage(Duration.ofSeconds(5), message ->
        message instanceof AttachSession attach && attach.lastSeq() == 2
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertEquals(2, ((AttachSession) fished.get(fished.size() - 1)).lastSeq());
    // A replay that overlaps what was delivered: only the new push reaches the client.
    session.tell(new DeliverPush(push(2)));
    session.tell(new DeliverPush(push(3)));
    assertEquals(push(3), client.receiveMessage());
    client.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aFullPushQueueFailsTheSessionAsSlowSubscriberAndDetaches() {
    TestProbe<UserSignal> entity = testKit.createTestProbe();
    // A subscriber that never asks for anything: a client that does not read.
    Pair<Pair<BoundedSourceQueue<ServerFrame>, CompletionStage<Done>>, ?> materialized =
        Source.<ServerFrame>queue(2)
            .watchTermination(Keep.both())
            .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.both())
            .run(testKit.system());
    BoundedSourceQueue<ServerFrame> pushes = materialized.first().first();
    CompletionStage<Done> queueEnded = materialized.first().second();

    ActorRef<Object> session =
        testKit.spawn(SessionActor.create(DEVICE, 0, pushes, 2, Duration.ofMinutes(10), (userId, signal) -> entity.ref().tell(signal)));
    ActorRef<io.herald.signals.cluster.SessionSignal> ref =
        entity.expectMessageClass(AttachSession.class).session();
    ref.tell(new DeliverPush(push(1)));
    ref.tell(new DeliverPush(push(2)));
    ref.tell(new DeliverPush(push(3))); // one more than fits

    assertEquals(new DetachSession(ref), entity.expectMessageClass(DetachSession.class));
    entity.expectTerminated(session, Duration.ofSeconds(5));
    CompletionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> queueEnded.toCompletableFuture().join());
    SlowSubscriberException reason = assertInstanceOf(SlowSubscriberException.class, failed.getCause());
    assertEquals(
        "slow subscriber: more than 2 pushes were waiting for this session; it is closed, reconnect and resume with"
            + " hello.last_seq",
        reason.getMessage());
  }

  private static ServerFrame push(long seq) {
    return ServerFrame.newBuilder()
        .setPush(
            Push.newBuilder()
                .setSeq(seq)
                .setChatMessage(ChatMessage.newBuilder().setConversationId("c-1").setText("message " + seq)))
        .build();
  }
}
