package io.herald.chat.conversation;

import com.google.protobuf.Message;
import io.herald.chat.conversation.ConversationEntity.Created;
import io.herald.chat.conversation.ConversationEntity.Event;
import io.herald.chat.conversation.ConversationEntity.FanOutProgressed;
import io.herald.chat.conversation.ConversationEntity.MembersChanged;
import io.herald.chat.conversation.ConversationEntity.MembersNotified;
import io.herald.chat.conversation.ConversationEntity.MessageAppended;
import io.herald.chat.conversation.ConversationEntity.ParkedSend;
import io.herald.chat.conversation.ConversationEntity.ParkedSendRefused;
import io.herald.chat.conversation.ConversationEntity.ReadPointerMoved;
import io.herald.chat.conversation.ConversationEntity.SendParked;
import io.herald.protocol.events.v1.ChatMessageAppended;
import io.herald.protocol.events.v1.ChatSendParked;
import io.herald.protocol.events.v1.ConversationCreated;
import io.herald.protocol.events.v1.ConversationMembersChanged;
import io.herald.protocol.events.v1.ConversationMembersNotified;
import io.herald.protocol.events.v1.ParkedChatSendRefused;
import java.util.List;
import org.apache.pekko.persistence.typed.EventAdapter;
import org.apache.pekko.persistence.typed.EventSeq;

/** Journal form of Conversation events: the Protobuf messages of herald.events.v1. */
final class ConversationEventAdapter extends EventAdapter<Event, Message> {

  @Override
  public Message toJournal(Event event) {
    if (event instanceof Created created) {
      return ConversationCreated.newBuilder().setMessageId(created.messageId()).setCreatorUserId(created.creatorUserId())
          .addAllMemberUserIds(created.memberUserIds()).setCreatedAtMs(created.createdAtMs()).build();
    }
    if (event instanceof MessageAppended appended) {
      return toProto(appended);
    }
    if (event instanceof ReadPointerMoved moved) {
      return io.herald.protocol.events.v1.ReadPointerMoved.newBuilder().setMessageId(moved.messageId())
          .setUserId(moved.userId()).setUpToSeq(moved.upToSeq()).setAtMs(moved.atMs()).build();
    }
    if (event instanceof FanOutProgressed progressed) {
      return io.herald.protocol.events.v1.FanOutProgressed.newBuilder().setUpToSeq(progressed.upToSeq()).build();
    }
    if (event instanceof SendParked parked) {
      return toProto(parked.send());
    }
    if (event instanceof ParkedSendRefused refused) {
      return ParkedChatSendRefused.newBuilder().setMessageId(refused.messageId()).build();
    }
    if (event instanceof MembersChanged changed) {
      return ConversationMembersChanged.newBuilder().setMessageId(changed.messageId()).setByUserId(changed.byUserId())
          .addAllAddedUserIds(changed.added()).addAllRemovedUserIds(changed.removed())
          .setOwnerUserId(changed.ownerUserId()).setAtMs(changed.atMs()).build();
    }
    if (event instanceof MembersNotified notified) {
      return ConversationMembersNotified.newBuilder().setVersion(notified.version()).build();
    }
    throw new IllegalArgumentException("Unknown Conversation event " + event.getClass().getName());
  }

  @Override
  public String manifest(Event event) {
    return "";
  }

  @Override
  public EventSeq<Event> fromJournal(Message stored, String manifest) {
    if (stored instanceof ConversationCreated created) {
      return EventSeq.single(new Created(created.getMessageId(), created.getCreatorUserId(),
          List.copyOf(created.getMemberUserIdsList()), created.getCreatedAtMs()));
    }
    if (stored instanceof ChatMessageAppended appended) {
      return EventSeq.single(fromProto(appended));
    }
    if (stored instanceof io.herald.protocol.events.v1.ReadPointerMoved moved) {
      return EventSeq.single(new ReadPointerMoved(moved.getMessageId(), moved.getUserId(), moved.getUpToSeq(),
          moved.getAtMs()));
    }
    if (stored instanceof io.herald.protocol.events.v1.FanOutProgressed progressed) {
      return EventSeq.single(new FanOutProgressed(progressed.getUpToSeq()));
    }
    if (stored instanceof ChatSendParked parked) {
      return EventSeq.single(new SendParked(fromProto(parked)));
    }
    if (stored instanceof ParkedChatSendRefused refused) {
      return EventSeq.single(new ParkedSendRefused(refused.getMessageId()));
    }
    if (stored instanceof ConversationMembersChanged changed) {
      return EventSeq.single(new MembersChanged(changed.getMessageId(), changed.getByUserId(),
          List.copyOf(changed.getAddedUserIdsList()), List.copyOf(changed.getRemovedUserIdsList()),
          changed.getOwnerUserId(), changed.getAtMs()));
    }
    if (stored instanceof ConversationMembersNotified notified) {
      return EventSeq.single(new MembersNotified(notified.getVersion()));
    }
    throw new IllegalArgumentException("Unknown stored Conversation event " + stored.getDescriptorForType().getFullName());
  }

  static ChatMessageAppended toProto(MessageAppended appended) {
    return ChatMessageAppended.newBuilder().setMessageId(appended.messageId())
        .setConversationSeq(appended.conversationSeq()).setSenderUserId(appended.senderUserId())
        .setText(appended.text()).setSentAtMs(appended.sentAtMs()).setReceivedAtMs(appended.receivedAtMs()).build();
  }

  static ChatSendParked toProto(ParkedSend parked) {
    return ChatSendParked.newBuilder().setMessageId(parked.messageId()).setSenderUserId(parked.senderUserId())
        .setText(parked.text()).setSentAtMs(parked.sentAtMs()).setReceivedAtMs(parked.receivedAtMs()).build();
  }

  static ParkedSend fromProto(ChatSendParked parked) {
    return new ParkedSend(parked.getMessageId(), parked.getSenderUserId(), parked.getText(), parked.getSentAtMs(),
        parked.getReceivedAtMs());
  }

  static MessageAppended fromProto(ChatMessageAppended appended) {
    return new MessageAppended(appended.getMessageId(), appended.getConversationSeq(), appended.getSenderUserId(),
        appended.getText(), appended.getSentAtMs(), appended.getReceivedAtMs());
  }
}
