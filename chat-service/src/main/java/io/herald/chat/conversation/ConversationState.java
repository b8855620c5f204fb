package io.herald.chat.conversation;

import com.google.protobuf.CodedOutputStream;
import io.herald.chat.conversation.ConversationEntity.ConversationCreated;
import io.herald.chat.conversation.ConversationEntity.FanOutProgressed;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersChanged;
import io.herald.chat.conversation.ConversationEntity.ConversationMembersNotified;
import io.herald.chat.conversation.ConversationEntity.ChatMessageAppended;
import io.herald.chat.conversation.ConversationEntity.ParkedSend;
import io.herald.chat.conversation.ConversationEntity.ParkedChatSendRefused;
import io.herald.chat.conversation.ConversationEntity.ReadPointerMoved;
import io.herald.chat.conversation.ConversationEntity.ChatSendParked;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.cluster.v1.PushIntent;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.ReadReceipt;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The state of a {@link ConversationEntity}: changed only by its own methods, which the entity's event handler calls,
 * one per event; the entity and the snapshot adapter read its fields.
 */
public final class ConversationState {
  final String conversationId;
  // Longest-standing first.
  final LinkedHashSet<String> members;
  // Adds and removes members. Before owners existed the creator, who is also the first member.
  String owner;
  // The creation, to answer its resend as a duplicate even after it left the deduplication window.
  String creatorUserId;
  String creationMessageId;
  // 1 once created, one more per membership change; 0: not created (the id is free).
  long membershipVersion;
  // Every member and former member has been told the membership of this version.
  long notifiedVersion;
  // Users removed (or who left) since the last notice, with the version that removed them, bounded by max-members.
  final LinkedHashMap<String, Long> formerMembers;
  long lastSeq;
  long fannedOutSeq;
  final Map<String, Long> readPointers;
  final DedupWindow recentMessageIds;
  // The last messages, oldest first, bounded like the dedup window: a resend repeats their pushes from here.
  final ArrayDeque<ChatMessageAppended> recentMessages;
  // Sends that came before the creation, oldest first, bounded by parked.capacity. Once the conversation exists
  // only refusals (senders who are not members) are left here, until their push.rejected is delivered.
  final ArrayDeque<ParkedSend> parked;
  // Derived from recentMessages and parked: their bytes, bounded by recent-messages-max-bytes and parked.max-bytes.
  long recentBytes;
  long parkedBytes;

  /** The membership part of a recovered state. */
  record Membership(String owner, String creatorUserId, String creationMessageId, long version, long notifiedVersion,
      Map<String, Long> formerMembers) {
    static final Membership NONE = new Membership("", "", "", 0, 0, Map.of());
  }

  ConversationState(String conversationId, List<String> members, Membership membership, long lastSeq,
      long fannedOutSeq, Map<String, Long> readPointers, DedupWindow recent,
      ArrayDeque<ChatMessageAppended> recentMessages,
      ArrayDeque<ParkedSend> parked) {
    this.conversationId = conversationId;
    this.members = new LinkedHashSet<>(members);
    this.owner = membership.owner();
    this.creatorUserId = membership.creatorUserId();
    this.creationMessageId = membership.creationMessageId();
    this.membershipVersion = membership.version();
    this.notifiedVersion = membership.notifiedVersion();
    this.formerMembers = new LinkedHashMap<>(membership.formerMembers());
    this.lastSeq = lastSeq;
    this.fannedOutSeq = fannedOutSeq;
    this.readPointers = readPointers;
    this.recentMessageIds = recent;
    this.recentMessages = recentMessages;
    this.parked = parked;
    this.recentBytes = recentMessages.stream().mapToLong(ConversationState::bytes).sum();
    this.parkedBytes = parked.stream().mapToLong(ConversationState::bytes).sum();
  }

  boolean created() {
    return membershipVersion > 0;
  }

  /** A message's size in memory and in a snapshot, near enough to bound them: its strings in UTF-8 and its numbers. */
  static long bytes(ChatMessageAppended message) {
    return CodedOutputStream.computeStringSizeNoTag(message.text())
        + CodedOutputStream.computeStringSizeNoTag(message.messageId())
        + CodedOutputStream.computeStringSizeNoTag(message.senderUserId()) + 32;
  }

  static long bytes(ParkedSend send) {
    return CodedOutputStream.computeStringSizeNoTag(send.text())
        + CodedOutputStream.computeStringSizeNoTag(send.messageId())
        + CodedOutputStream.computeStringSizeNoTag(send.senderUserId()) + 24;
  }

  /**
   * Every creation names its creator, who is the first member; the owner falls back to the first member only for a
   * creation without one.
   */
  ConversationState create(ConversationCreated event) {
    members.addAll(event.memberUserIds());
    owner = !event.creatorUserId().isEmpty() ? event.creatorUserId() : members.stream().findFirst().orElse("");
    creatorUserId = event.creatorUserId();
    creationMessageId = event.messageId();
    membershipVersion = 1;
    recentMessageIds.add(event.creatorUserId(), event.messageId(), event.createdAtMs());
    return this;
  }

  /** Past {@code maxMembers} former members, the longest-removed are not told (their User entities still list it). */
  ConversationState changeMembers(ConversationMembersChanged event, int maxMembers) {
    var version = ++membershipVersion;
    members.addAll(event.added());
    event.added().forEach(formerMembers::remove);
    for (var removed : event.removed()) {
      members.remove(removed);
      readPointers.remove(removed);
      formerMembers.remove(removed);
      formerMembers.put(removed, version);
    }
    while (formerMembers.size() > maxMembers) {
      formerMembers.remove(formerMembers.keySet().iterator().next());
    }
    if (!event.ownerUserId().isEmpty()) {
      owner = event.ownerUserId();
    }
    recentMessageIds.add(event.byUserId(), event.messageId(), event.atMs());
    return this;
  }

  ConversationState notified(ConversationMembersNotified event) {
    notifiedVersion = Math.max(notifiedVersion, event.version());
    formerMembers.values().removeIf(removedAt -> removedAt <= event.version());
    return this;
  }

  /** The recent messages are bounded in count ({@code recentCapacity}) and bytes ({@code recentMaxBytes}). */
  ConversationState append(ChatMessageAppended event, int recentCapacity, long recentMaxBytes) {
    lastSeq = event.conversationSeq();
    recentMessageIds.add(event.senderUserId(), event.messageId(), event.receivedAtMs());
    if (!parked.isEmpty()) {
      removeParked(event.messageId());
    }
    recentMessages.addLast(event);
    recentBytes += bytes(event);
    while (recentMessages.size() > recentCapacity || recentBytes > recentMaxBytes) {
      recentBytes -= bytes(recentMessages.removeFirst());
    }
    return this;
  }

  ConversationState fannedOut(FanOutProgressed event) {
    fannedOutSeq = Math.max(fannedOutSeq, event.upToSeq());
    return this;
  }

  ConversationState park(ChatSendParked event) {
    parked.addLast(event.send());
    parkedBytes += bytes(event.send());
    recentMessageIds.add(event.send().senderUserId(), event.send().messageId(), event.send().receivedAtMs());
    return this;
  }

  ConversationState refused(ParkedChatSendRefused event) {
    removeParked(event.messageId());
    return this;
  }

  ConversationState movePointer(ReadPointerMoved event) {
    readPointers.merge(event.userId(), event.upToSeq(), Math::max);
    recentMessageIds.add(event.userId(), event.messageId(), event.atMs());
    return this;
  }

  /** A chat_read's read receipts: one to each other member, with the reader's read pointer. */
  List<PushIntent> receiptsFor(IngressRecord record) {
    if (!record.getFrame().hasChatRead()) {
      return List.of();
    }
    var reader = record.getUserId();
    var upTo = readPointers.getOrDefault(reader, 0L);
    return members.stream().filter(member -> !member.equals(reader)).map(member -> PushIntent.newBuilder()
        .setUserId(member).setCauseId(record.getMessageId() + "/receipt/" + member)
        .setPush(Push.newBuilder().setReadReceipt(ReadReceipt.newBuilder().setConversationId(conversationId)
            .setUserId(reader).setUpToSeq(upTo)))
        .build()).toList();
  }

  private void removeParked(String messageId) {
    parked.removeIf(send -> {
      if (send.messageId().equals(messageId)) {
        parkedBytes -= bytes(send);
        return true;
      }
      return false;
    });
  }
}
