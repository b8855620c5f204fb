package io.herald.chat.conversation;

import com.google.protobuf.Message;
import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.ChatSendParked;
import io.herald.chat.conversation.ConversationEntity.ConversationCreated;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersChanged;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersNotified;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.FanOutProgressed;
import io.herald.chat.conversation.ConversationEntity.ParkedChatSendRefused;
import io.herald.chat.conversation.ConversationEntity.ParkedSend;
import io.herald.chat.conversation.ConversationEntity.ReadPointerMoved;
import java.util.List;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.EventSeq;

/**
 * Journal form of Conversation events: the Protobuf messages of herald.events.v1, each of the same name as the event
 * (so the generated classes are named with their package here).
 */
final class ConversationEventAdapter extends EventAdapter<Event, Message> {

  @Override
  public Message toJournal(Event event) {
    if (event instanceof ConversationCreated created) {
      return io.herald.protocol.events.v1.ConversationCreated.newBuilder().setMessageId(created.messageId())
          .setCreatorUserId(created.creatorUserId()).addAllMemberUserIds(created.memberUserIds())
          .setCreatedAtMs(created.createdAtMs()).build();
    }
    if (event instanceof ChatMessageAppended appended) {
      return toProto(appended);
    }
    if (event instanceof ReadPointerMoved moved) {
      return io.herald.protocol.events.v1.ReadPointerMoved.newBuilder().setMessageId(moved.messageId())
          .setUserId(moved.userId()).setUpToSeq(moved.upToSeq()).setAtMs(moved.atMs()).build();
    }
    if (event instanceof FanOutProgressed progressed) {
      return io.herald.protocol.events.v1.FanOutProgressed.newBuilder().setUpToSeq(progressed.upToSeq()).build();
    }
    if (event instanceof ChatSendParked parked) {
      return toProto(parked.send());
    }
    if (event instanceof ParkedChatSendRefused refused) {
      return io.herald.protocol.events.v1.ParkedChatSendRefused.newBuilder().setMessageId(refused.messageId()).build();
    }
    if (event instanceof ConversationMembersChanged changed) {
      return io.herald.protocol.events.v1.ConversationMembersChanged.newBuilder().setMessageId(changed.messageId())
          .setByUserId(changed.byUserId()).addAllAddedUserIds(changed.added()).addAllRemovedUserIds(changed.removed())
          .setOwnerUserId(changed.ownerUserId()).setAtMs(changed.atMs()).build();
    }
    if (event instanceof ConversationMembersNotified notified) {
      return io.herald.protocol.events.v1.ConversationMembersNotified.newBuilder().setVersion(notified.version())
          .build();
    }
    throw new IllegalArgumentException("Unknown Conversation event " + event.getClass().getName());
  }

  @Override
  public String manifest(Event event) {
    return "";
  }

  @Override
  public EventSeq<Event> fromJournal(Message stored, String manifest) {
    if (stored instanceof io.herald.protocol.events.v1.ConversationCreated created) {
      return EventSeq.single(new ConversationCreated(created.getMessageId(), created.getCreatorUserId(),
          List.copyOf(created.getMemberUserIdsList()), created.getCreatedAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.ChatMessageAppended appended) {
      return EventSeq.single(fromProto(appended));
    }
    if (stored instanceof io.herald.protocol.events.v1.ReadPointerMoved moved) {
      return EventSeq.single(new ReadPointerMoved(moved.getMessageId(), moved.getUserId(), moved.getUpToSeq(),
          moved.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.FanOutProgressed progressed) {
      return EventSeq.single(new FanOutProgressed(progressed.getUpToSeq()));
    }
    if (stored instanceof io.herald.protocol.events.v1.ChatSendParked parked) {
      return EventSeq.single(new ChatSendParked(fromProto(parked)));
    }
    if (stored instanceof io.herald.protocol.events.v1.ParkedChatSendRefused refused) {
      return EventSeq.single(new ParkedChatSendRefused(refused.getMessageId()));
    }
    if (stored instanceof io.herald.protocol.events.v1.ConversationMembersChanged changed) {
      return EventSeq.single(new ConversationMembersChanged(changed.getMessageId(), changed.getByUserId(),
          List.copyOf(changed.getAddedUserIdsList()), List.copyOf(changed.getRemovedUserIdsList()),
          changed.getOwnerUserId(), changed.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.ConversationMembersNotified notified) {
      return EventSeq.single(new ConversationMembersNotified(notified.getVersion()));
    }
    throw new IllegalArgumentException("Unknown stored Conversation event " + stored.getDescriptorForType().getFullName());
  }

  static io.herald.protocol.events.v1.ChatMessageAppended toProto(ChatMessageAppended appended) {
    return io.herald.protocol.events.v1.ChatMessageAppended.newBuilder().setMessageId(appended.messageId())
        .setConversationSeq(appended.conversationSeq()).setSenderUserId(appended.senderUserId())
        .setText(appended.text()).setSentAtMs(appended.sentAtMs()).setReceivedAtMs(appended.receivedAtMs()).build();
  }

  static io.herald.protocol.events.v1.ChatSendParked toProto(ParkedSend parked) {
    return io.herald.protocol.events.v1.ChatSendParked.newBuilder().setMessageId(parked.messageId())
        .setSenderUserId(parked.senderUserId()).setText(parked.text()).setSentAtMs(parked.sentAtMs())
        .setReceivedAtMs(parked.receivedAtMs()).build();
  }

  static ParkedSend fromProto(io.herald.protocol.events.v1.ChatSendParked parked) {
    return new ParkedSend(parked.getMessageId(), parked.getSenderUserId(), parked.getText(), parked.getSentAtMs(),
        parked.getReceivedAtMs());
  }

  static ChatMessageAppended fromProto(io.herald.protocol.events.v1.ChatMessageAppended appended) {
    return new ChatMessageAppended(appended.getMessageId(), appended.getConversationSeq(), appended.getSenderUserId(),
        appended.getText(), appended.getSentAtMs(), appended.getReceivedAtMs());
  }
}
