package io.herald.signals.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko serializer for every Herald Protobuf message: what crosses nodes and what is persisted.
 *
 * <p>The manifest is the Protobuf full name (e.g. {@code herald.events.v1.TelemetryRecorded}), not the Java class
 * name, so Java packages can be refactored without breaking stored events.
 */
public final class ProtobufSerializer extends SerializerWithStringManifest {

  /** Registered in reference.conf; must never change once events are stored. */
  public static final int IDENTIFIER = 1_747_100;

  public ProtobufSerializer(ExtendedActorSystem system) {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return message(o).getDescriptorForType().getFullName();
  }

  @Override
  public byte[] toBinary(Object o) {
    return message(o).toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    var parser = ProtobufRegistry.parserFor(manifest);
    if (parser == null) {
      throw new NotSerializableException("Unknown Protobuf manifest [" + manifest + "]");
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw Corrupt.bytes(manifest, e);
    }
  }

  private static Message message(Object o) {
    if (o instanceof Message m) {
      return m;
    }
    throw new IllegalArgumentException("Not a Protobuf message: " + o.getClass().getName());
  }
}
