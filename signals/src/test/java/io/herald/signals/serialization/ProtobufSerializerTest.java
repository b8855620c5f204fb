package io.herald.signals.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.protocol.CompatibilityFixtures;
import io.herald.protocol.cluster.v1.ApplyToConversationSignal;
import io.herald.protocol.cluster.v1.ConversationList;
import io.herald.protocol.cluster.v1.DeviceTelemetry;
import io.herald.protocol.cluster.v1.IngressApplied;
import io.herald.protocol.cluster.v1.IngressAppliedBatch;
import io.herald.protocol.cluster.v1.UserAccount;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ApplyRecords;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import io.herald.signals.cluster.GetConversations;
import io.herald.signals.cluster.GetTelemetry;
import io.herald.signals.cluster.SessionSignal;
import io.herald.signals.serialization.ProtobufSerializer;
import io.herald.signals.serialization.SignalSerializer;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProtobufSerializerTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyHeraldMessageRoundTripsThroughPekkoSerializationWithItsProtobufName() {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    for (var message : CompatibilityFixtures.v1().values()) {
      var serializer = serialization.findSerializerFor(message);
      assertInstanceOf(ProtobufSerializer.class, serializer, message.getClass().getName());
      var manifest = Serializers.manifestFor(serializer, message);
      assertEquals(message.getDescriptorForType().getFullName(), manifest);
      var bytes = serialization.serialize(message).get();
      assertEquals(message, serialization.deserialize(bytes, serializer.identifier(), manifest).get());
    }
  }

  @Test
  void crossServiceSignalsRoundTripWithTheirActorReferences() {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    var session = testKit.<SessionSignal>createTestProbe().ref();
    var push = ServerFrame.newBuilder().setPush(Push.newBuilder().setSeq(7)).build();
    var lists = testKit.<ConversationList>createTestProbe().ref();
    var applied = testKit.<IngressApplied>createTestProbe().ref();
    for (Object signal : List.of(new AttachSession("phone", 41, session), new AttachSession("tablet", 7, session, 128),
        new DetachSession(session), new DeliverPush(push), new GetConversations("c-9", 50, lists),
        new ApplyRecord(IngressRecord.newBuilder().setMessageId("m-1").build(), applied,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        new ApplyRecord(IngressRecord.newBuilder().setMessageId("m-2").build(), applied),
        new ApplyRecords(List.of(IngressRecord.newBuilder().setMessageId("m-3").build(),
            IngressRecord.newBuilder().setMessageId("m-4").build()), testKit.<IngressAppliedBatch>createTestProbe().ref()),
        new GetAccount(testKit.<UserAccount>createTestProbe().ref()),
        new GetTelemetry(testKit.<DeviceTelemetry>createTestProbe().ref()),
        new EnqueuePush("c-1", Push.newBuilder().setSeq(0).build(), testKit.<Done>createTestProbe().ref()),
        new EnqueuePush(List.of(new EnqueuePush.Entry("c-1", Push.getDefaultInstance()),
            new EnqueuePush.Entry("c-2", Push.newBuilder().setSeq(8).build())),
            testKit.<Done>createTestProbe().ref()))) {
      var serializer = serialization.findSerializerFor(signal);
      assertInstanceOf(SignalSerializer.class, serializer, signal.getClass().getName());
      var bytes = serialization.serialize(signal).get();
      assertEquals(signal, serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, signal)).get());
    }
  }

  @Test
  void anApplyToConversationSignalOfAnEarlierNodeIsReadAsTheOneApplySignal() throws Exception {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    var applied = testKit.<IngressApplied>createTestProbe().ref();
    var earlier = ApplyToConversationSignal.newBuilder().setRecord(IngressRecord.newBuilder().setMessageId("m-1"))
        .setReplyTo(ActorRefResolver.get(testKit.system()).toSerializationFormat(applied)).setTraceparent("tp").build();
    assertEquals(new ApplyRecord(earlier.getRecord(), applied, "tp"), serialization.deserialize(earlier.toByteArray(),
        SignalSerializer.IDENTIFIER, "herald.cluster.v1.ApplyToConversationSignal").get());
  }

  @Test
  void unknownManifestIsRefusedWithATypedError() {
    var serializer = new ProtobufSerializer(null);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "herald.nope.v1.Missing"));
  }

  @Test
  void corruptBytesAreRefusedWithATypedError() {
    var serializer = new ProtobufSerializer(null);
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01}, "herald.device.v1.ClientFrame"));
  }
}
