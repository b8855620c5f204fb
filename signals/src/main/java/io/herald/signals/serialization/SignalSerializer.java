package io.herald.signals.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.cluster.v1.ApplyIngress;
import io.herald.protocol.cluster.v1.ApplyIngressBatch;
import io.herald.protocol.cluster.v1.AttachSessionSignal;
import io.herald.protocol.cluster.v1.DeliverPushSignal;
import io.herald.protocol.cluster.v1.DetachSessionSignal;
import io.herald.protocol.cluster.v1.EnqueuePushEntry;
import io.herald.protocol.cluster.v1.EnqueuePushSignal;
import io.herald.protocol.cluster.v1.GetConversationsSignal;
import io.herald.protocol.cluster.v1.GetDeviceTelemetry;
import io.herald.protocol.cluster.v1.GetDeviceOwnerSignal;
import io.herald.protocol.cluster.v1.GetHistorySignal;
import io.herald.protocol.cluster.v1.GetShadowSignal;
import io.herald.protocol.cluster.v1.GetUserAccount;
import io.herald.signals.cluster.ApplyRecord;
import io.herald.signals.cluster.ApplyRecords;
import io.herald.signals.cluster.AttachSession;
import io.herald.signals.cluster.DeliverPush;
import io.herald.signals.cluster.DetachSession;
import io.herald.signals.cluster.EnqueuePush;
import io.herald.signals.cluster.GetAccount;
import io.herald.signals.cluster.GetConversations;
import io.herald.signals.cluster.GetDeviceOwner;
import io.herald.signals.cluster.GetHistory;
import io.herald.signals.cluster.GetShadow;
import io.herald.signals.cluster.GetTelemetry;
import java.io.NotSerializableException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Wire form of every cluster message that is not a Protobuf message itself: the signals in io.herald.signals.cluster,
 * which the services' entities and sessions send each other (herald.cluster.v1), with actor references in
 * ActorRefResolver's string form. Replies, events and snapshots are Protobuf messages ({@link ProtobufSerializer}).
 * An entity's own commands never cross nodes: each entity wraps the signals it gets on arrival.
 */
public final class SignalSerializer extends SerializerWithStringManifest {

  public static final int IDENTIFIER = 1_747_101;

  private static final String ATTACH = "herald.cluster.v1.AttachSessionSignal";
  private static final String DETACH = "herald.cluster.v1.DetachSessionSignal";
  private static final String DELIVER = "herald.cluster.v1.DeliverPushSignal";
  private static final String GET_SHADOW = "herald.cluster.v1.GetShadowSignal";
  private static final String APPLY = "herald.cluster.v1.ApplyIngress";
  private static final String APPLY_BATCH = "herald.cluster.v1.ApplyIngressBatch";
  // What nodes of an earlier version send to a Conversation: the same fields as ApplyIngress.
  private static final String APPLY_TO_CONVERSATION = "herald.cluster.v1.ApplyToConversationSignal";
  private static final String GET_HISTORY = "herald.cluster.v1.GetHistorySignal";
  private static final String GET_DEVICE_OWNER = "herald.cluster.v1.GetDeviceOwnerSignal";
  private static final String ENQUEUE_PUSH = "herald.cluster.v1.EnqueuePushSignal";
  private static final String GET_CONVERSATIONS = "herald.cluster.v1.GetConversationsSignal";
  private static final String GET_ACCOUNT = "herald.cluster.v1.GetUserAccount";
  private static final String GET_TELEMETRY = "herald.cluster.v1.GetDeviceTelemetry";

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public SignalSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof AttachSession) return ATTACH;
    if (o instanceof DetachSession) return DETACH;
    if (o instanceof DeliverPush) return DELIVER;
    if (o instanceof GetShadow) return GET_SHADOW;
    if (o instanceof ApplyRecord) return APPLY;
    if (o instanceof ApplyRecords) return APPLY_BATCH;
    if (o instanceof GetHistory) return GET_HISTORY;
    if (o instanceof GetDeviceOwner) return GET_DEVICE_OWNER;
    if (o instanceof EnqueuePush) return ENQUEUE_PUSH;
    if (o instanceof GetConversations) return GET_CONVERSATIONS;
    if (o instanceof GetAccount) return GET_ACCOUNT;
    if (o instanceof GetTelemetry) return GET_TELEMETRY;
    throw new IllegalArgumentException("Not a Herald signal: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof AttachSession attach) {
      return AttachSessionSignal.newBuilder().setDeviceId(attach.deviceId()).setLastSeq(attach.lastSeq())
          .setSession(resolver().toSerializationFormat(attach.session())).setReplayLimit(attach.replayLimit())
          .build().toByteArray();
    }
    if (o instanceof DetachSession detach) {
      return DetachSessionSignal.newBuilder().setSession(resolver().toSerializationFormat(detach.session())).build().toByteArray();
    }
    if (o instanceof DeliverPush deliver) {
      return DeliverPushSignal.newBuilder().setFrame(deliver.frame()).build().toByteArray();
    }
    if (o instanceof GetShadow get) {
      return GetShadowSignal.newBuilder().setRequesterUserId(get.requesterUserId())
          .setReplyTo(resolver().toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof ApplyRecord apply) {
      return ApplyIngress.newBuilder().setRecord(apply.record())
          .setReplyTo(resolver().toSerializationFormat(apply.replyTo())).setTraceparent(apply.traceparent()).build()
          .toByteArray();
    }
    if (o instanceof ApplyRecords apply) {
      return ApplyIngressBatch.newBuilder().addAllRecords(apply.records())
          .setReplyTo(resolver().toSerializationFormat(apply.replyTo())).build().toByteArray();
    }
    if (o instanceof GetHistory get) {
      return GetHistorySignal.newBuilder().setRequesterUserId(get.requesterUserId()).setAfterSeq(get.afterSeq())
          .setLimit(get.limit()).setReplyTo(resolver().toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof GetDeviceOwner get) {
      return GetDeviceOwnerSignal.newBuilder().setReplyTo(resolver().toSerializationFormat(get.replyTo())).build()
          .toByteArray();
    }
    if (o instanceof EnqueuePush enqueue) {
      var signal = EnqueuePushSignal.newBuilder().setReplyTo(resolver().toSerializationFormat(enqueue.replyTo()));
      if (enqueue.entries().size() == 1) {
        signal.setCauseId(enqueue.entries().get(0).causeId()).setPush(enqueue.entries().get(0).push());
      } else {
        enqueue.entries().forEach(entry -> signal.addEntries(
            EnqueuePushEntry.newBuilder().setCauseId(entry.causeId()).setPush(entry.push())));
      }
      return signal.build().toByteArray();
    }
    if (o instanceof GetConversations get) {
      return GetConversationsSignal.newBuilder().setAfterConversationId(get.afterConversationId()).setLimit(get.limit())
          .setReplyTo(resolver().toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof GetAccount get) {
      return GetUserAccount.newBuilder().setReplyTo(resolver().toSerializationFormat(get.replyTo())).build().toByteArray();
    }
    if (o instanceof GetTelemetry get) {
      return GetDeviceTelemetry.newBuilder().setReplyTo(resolver().toSerializationFormat(get.replyTo())).build()
          .toByteArray();
    }
    throw new IllegalArgumentException("Not a Herald signal: " + o.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      return switch (manifest) {
        case ATTACH -> {
          var attach = AttachSessionSignal.parseFrom(bytes);
          yield new AttachSession(attach.getDeviceId(), attach.getLastSeq(), resolver().resolveActorRef(attach.getSession()),
              attach.getReplayLimit());
        }
        case DETACH -> new DetachSession(resolver().resolveActorRef(DetachSessionSignal.parseFrom(bytes).getSession()));
        case DELIVER -> new DeliverPush(DeliverPushSignal.parseFrom(bytes).getFrame());
        case APPLY, APPLY_TO_CONVERSATION -> {
          var apply = ApplyIngress.parseFrom(bytes);
          yield new ApplyRecord(apply.getRecord(), resolver().resolveActorRef(apply.getReplyTo()), apply.getTraceparent());
        }
        case APPLY_BATCH -> {
          var apply = ApplyIngressBatch.parseFrom(bytes);
          yield new ApplyRecords(apply.getRecordsList(), resolver().resolveActorRef(apply.getReplyTo()));
        }
        case GET_HISTORY -> {
          var get = GetHistorySignal.parseFrom(bytes);
          yield new GetHistory(get.getRequesterUserId(), get.getAfterSeq(), get.getLimit(),
              resolver().resolveActorRef(get.getReplyTo()));
        }
        case GET_SHADOW -> {
          var get = GetShadowSignal.parseFrom(bytes);
          yield new GetShadow(get.getRequesterUserId(), resolver().resolveActorRef(get.getReplyTo()));
        }
        case GET_DEVICE_OWNER ->
            new GetDeviceOwner(resolver().resolveActorRef(GetDeviceOwnerSignal.parseFrom(bytes).getReplyTo()));
        case ENQUEUE_PUSH -> {
          var enqueue = EnqueuePushSignal.parseFrom(bytes);
          ActorRef<Done> replyTo = resolver().resolveActorRef(enqueue.getReplyTo());
          yield enqueue.getEntriesCount() == 0
              ? new EnqueuePush(enqueue.getCauseId(), enqueue.getPush(), replyTo)
              : new EnqueuePush(enqueue.getEntriesList().stream()
                  .map(entry -> new EnqueuePush.Entry(entry.getCauseId(), entry.getPush())).toList(), replyTo);
        }
        case GET_CONVERSATIONS -> {
          var get = GetConversationsSignal.parseFrom(bytes);
          yield new GetConversations(get.getAfterConversationId(), get.getLimit(),
              resolver().resolveActorRef(get.getReplyTo()));
        }
        case GET_ACCOUNT -> new GetAccount(resolver().resolveActorRef(GetUserAccount.parseFrom(bytes).getReplyTo()));
        case GET_TELEMETRY ->
            new GetTelemetry(resolver().resolveActorRef(GetDeviceTelemetry.parseFrom(bytes).getReplyTo()));
        default -> throw new NotSerializableException("Unknown signal manifest [" + manifest + "]");
      };
    } catch (InvalidProtocolBufferException e) {
      throw Corrupt.bytes(manifest, e);
    }
  }

  // The typed view of the system exists only once the system is up, after serializers are created.
  private ActorRefResolver resolver() {
    if (resolver == null) {
      resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }
    return resolver;
  }
}
