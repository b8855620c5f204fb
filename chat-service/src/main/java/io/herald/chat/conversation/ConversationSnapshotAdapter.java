package io.herald.chat.conversation;

import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.ConversationSnapshot;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/** Snapshot form of Conversation state: herald.events.v1.ConversationSnapshot. */
final class ConversationSnapshotAdapter implements SnapshotAdapter<ConversationState> {

  private final DedupWindow.Bounds dedup;

  ConversationSnapshotAdapter(DedupWindow.Bounds dedup) {
    this.dedup = dedup;
  }

  @Override
  public Object toJournal(ConversationState state) {
    return ConversationSnapshot.newBuilder()
        .setConversationId(state.conversationId)
        .addAllMemberUserIds(state.members)
        .setLastSeq(state.lastSeq)
        .setFannedOutSeq(state.fannedOutSeq)
        .putAllReadPointers(state.readPointers)
        .addAllRecentMessageIds(state.recentMessageIds.toList())
        .addAllRecentMessageIdsAtMs(state.recentMessageIds.appliedAtMs())
        .addAllRecentMessages(state.recentMessages.stream().map(ConversationEventAdapter::toProto).toList())
        .addAllParked(state.parked.stream().map(ConversationEventAdapter::toProto).toList())
        .setOwnerUserId(state.owner)
        .setCreatorUserId(state.creatorUserId)
        .setCreationMessageId(state.creationMessageId)
        .setMembershipVersion(state.membershipVersion)
        .setNotifiedVersion(state.notifiedVersion)
        .putAllFormerMembers(state.formerMembers)
        .build();
  }

  @Override
  public ConversationState fromJournal(Object from) {
    var snapshot = (ConversationSnapshot) from;
    return new ConversationState(snapshot.getConversationId(), snapshot.getMemberUserIdsList(), membership(snapshot),
        snapshot.getLastSeq(), snapshot.getFannedOutSeq(), new HashMap<>(snapshot.getReadPointersMap()),
        DedupWindow.of(dedup, snapshot.getRecentMessageIdsList(), snapshot.getRecentMessageIdsAtMsList()),
        new ArrayDeque<>(snapshot.getRecentMessagesList().stream().map(ConversationEventAdapter::fromProto).toList()),
        new ArrayDeque<>(snapshot.getParkedList().stream().map(ConversationEventAdapter::fromProto).toList()));
  }

  /**
   * A snapshot written before owners existed has no membership version: created if it has members, owned by the
   * first of them (the creator), and not yet told, so its members get a notice once it recovers.
   */
  private static ConversationState.Membership membership(ConversationSnapshot snapshot) {
    var members = snapshot.getMemberUserIdsList();
    var version = snapshot.getMembershipVersion() > 0 ? snapshot.getMembershipVersion() : members.isEmpty() ? 0 : 1;
    var owner = !snapshot.getOwnerUserId().isEmpty() || members.isEmpty() ? snapshot.getOwnerUserId() : members.get(0);
    // A map in a snapshot has no order: the longest-removed first, by the version that removed them.
    var formerMembers = new LinkedHashMap<String, Long>();
    snapshot.getFormerMembersMap().entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(entry -> formerMembers.put(entry.getKey(), entry.getValue()));
    return new ConversationState.Membership(owner, snapshot.getCreatorUserId(), snapshot.getCreationMessageId(),
        version, snapshot.getNotifiedVersion(), formerMembers);
  }
}
