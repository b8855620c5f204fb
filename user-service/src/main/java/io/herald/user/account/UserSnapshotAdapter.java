package io.herald.user.account;

import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.DeviceCursor;
import io.herald.protocol.events.v1.UserSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import io.herald.user.account.UserEntity.State;
import java.util.ArrayDeque;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/** Snapshot form of User state: herald.events.v1.UserSnapshot. */
final class UserSnapshotAdapter implements SnapshotAdapter<State> {

  private final DedupWindow.Bounds dedup;

  UserSnapshotAdapter(DedupWindow.Bounds dedup) {
    this.dedup = dedup;
  }

  @Override
  public Object toJournal(State state) {
    return UserSnapshot.newBuilder().setUserId(state.userId).setLastSeq(state.lastSeq).setAckedSeq(state.ackedSeq)
        .addAllOutbox(state.outbox).addAllRecentIds(state.recentIds.toList())
        .addAllRecentIdsAtMs(state.recentIds.appliedAtMs())
        .addAllDevices(state.devices).addAllConversations(state.conversations)
        .addAllDeviceCursors(state.cursors.entrySet().stream().map(cursor -> DeviceCursor.newBuilder()
            .setDeviceId(cursor.getKey()).setAckedSeq(cursor.getValue()).build()).toList())
        .build();
  }

  @Override
  public State fromJournal(Object from) {
    var snapshot = (UserSnapshot) from;
    return new State(snapshot.getUserId(), snapshot.getLastSeq(), snapshot.getAckedSeq(),
        new ArrayDeque<>(snapshot.getOutboxList()), DedupWindow.of(dedup, snapshot.getRecentIdsList(), snapshot.getRecentIdsAtMsList()),
        snapshot.getDevicesList(), snapshot.getConversationsList(), cursors(snapshot));
  }

  /** In the snapshot's order, least recently moved first. */
  private static Map<String, Long> cursors(UserSnapshot snapshot) {
    var cursors = new LinkedHashMap<String, Long>();
    snapshot.getDeviceCursorsList().forEach(cursor -> cursors.put(cursor.getDeviceId(), cursor.getAckedSeq()));
    return cursors;
  }
}
