package io.herald.user.account;

import com.google.protobuf.Message;
import io.herald.user.account.UserEntity.Event;
import io.herald.user.account.UserEntity.PushEnqueued;
import io.herald.user.account.UserEntity.PushesAcknowledged;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.EventSeq;

/** Journal form of User events: the Protobuf messages of herald.events.v1. */
final class UserEventAdapter extends EventAdapter<Event, Message> {

  @Override
  public Message toJournal(Event event) {
    if (event instanceof PushEnqueued enqueued) {
      return io.herald.protocol.events.v1.PushEnqueued.newBuilder().setCauseId(enqueued.causeId()).setPush(enqueued.push())
          .setAtMs(enqueued.atMs()).build();
    }
    if (event instanceof PushesAcknowledged acknowledged) {
      return io.herald.protocol.events.v1.PushesAcknowledged.newBuilder().setMessageId(acknowledged.messageId())
          .setUpToSeq(acknowledged.upToSeq()).setDeviceId(acknowledged.deviceId()).setAtMs(acknowledged.atMs()).build();
    }
    throw new IllegalArgumentException("Unknown User event " + event.getClass().getName());
  }

  @Override
  public String manifest(Event event) {
    return "";
  }

  @Override
  public EventSeq<Event> fromJournal(Message stored, String manifest) {
    if (stored instanceof io.herald.protocol.events.v1.PushEnqueued enqueued) {
      return EventSeq.single(new PushEnqueued(enqueued.getCauseId(), enqueued.getPush(), enqueued.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.PushesAcknowledged acknowledged) {
      return EventSeq.single(new PushesAcknowledged(acknowledged.getMessageId(), acknowledged.getUpToSeq(),
          acknowledged.getDeviceId(), acknowledged.getAtMs()));
    }
    throw new IllegalArgumentException("Unknown stored User event " + stored.getDescriptorForType().getFullName());
  }
}
