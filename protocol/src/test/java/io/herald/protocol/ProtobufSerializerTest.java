package io.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.protocol.serialization.ProtobufSerializer;
import java.io.NotSerializableException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
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
