package io.herald.chat.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.chat.conversation.ConversationEntity;
import io.herald.protocol.cluster.v1.ApplyIngress;
import io.herald.protocol.serialization.Corrupt;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/** Cluster wire form of the chat-service's entity commands: herald.cluster.v1 Protobuf, actor refs as strings. */
public final class ChatServiceSerializer extends SerializerWithStringManifest {

  public static final int IDENTIFIER = 1_747_300;

  private static final String APPLY = "herald.cluster.v1.ApplyIngress";

  private final ActorRefResolver resolver;

  public ChatServiceSerializer(ExtendedActorSystem system) {
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof ConversationEntity.Apply) return APPLY;
    throw new IllegalArgumentException("Not a chat-service message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof ConversationEntity.Apply apply) {
      return ApplyIngress.newBuilder().setRecord(apply.record())
          .setReplyTo(resolver.toSerializationFormat(apply.replyTo())).build().toByteArray();
    }
    throw new IllegalArgumentException("Not a chat-service message: " + o.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!APPLY.equals(manifest)) {
      throw new NotSerializableException("Unknown chat-service manifest [" + manifest + "]");
    }
    try {
      var apply = ApplyIngress.parseFrom(bytes);
      return new ConversationEntity.Apply(apply.getRecord(), resolver.resolveActorRef(apply.getReplyTo()));
    } catch (InvalidProtocolBufferException e) {
      throw Corrupt.bytes(manifest, e);
    }
  }
}
