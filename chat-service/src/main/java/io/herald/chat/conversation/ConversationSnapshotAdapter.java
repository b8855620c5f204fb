package io.herald.chat.conversation;

import io.herald.chat.conversation.ConversationEntity.State;
import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.ConversationSnapshot;
import java.util.ArrayDeque;
import java.util.HashMap;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/** Snapshot form of Conversation state: herald.events.v1.ConversationSnapshot. */
final class ConversationSnapshotAdapter implements SnapshotAdapter<State> {

  private final DedupWindow.Bounds dedup;

  ConversationSnapshotAdapter(DedupWindow.Bounds dedup) {
    this.dedup = dedup;
  }

  @Override
  public Object toJournal(State state) {
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
        .build();
  }

  @Override
  public State fromJournal(Object from) {
    var snapshot = (ConversationSnapshot) from;
    return new State(snapshot.getConversationId(), snapshot.getMemberUserIdsList(), snapshot.getLastSeq(),
        snapshot.getFannedOutSeq(), new HashMap<>(snapshot.getReadPointersMap()), DedupWindow.of(dedup, snapshot.getRecentMessageIdsList(), snapshot.getRecentMessageIdsAtMsList()),
        new ArrayDeque<>(snapshot.getRecentMessagesList().stream().map(ConversationEventAdapter::fromProto).toList()),
        new ArrayDeque<>(snapshot.getParkedList().stream().map(ConversationEventAdapter::fromProto).toList()));
  }
}
