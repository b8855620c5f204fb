package io.herald.user.account;

import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.UserSnapshot;
import io.herald.user.account.UserEntity.State;
import java.util.ArrayDeque;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/** Snapshot form of User state: herald.events.v1.UserSnapshot. */
final class UserSnapshotAdapter implements SnapshotAdapter<State> {

  private final int dedupWindow;

  UserSnapshotAdapter(int dedupWindow) {
    this.dedupWindow = dedupWindow;
  }

  @Override
  public Object toJournal(State state) {
    return UserSnapshot.newBuilder().setUserId(state.userId).setLastSeq(state.lastSeq).setAckedSeq(state.ackedSeq)
        .addAllOutbox(state.outbox).addAllRecentIds(state.recentIds.toList())
        .addAllDevices(state.devices).addAllConversations(state.conversations).build();
  }

  @Override
  public State fromJournal(Object from) {
    var snapshot = (UserSnapshot) from;
    return new State(snapshot.getUserId(), snapshot.getLastSeq(), snapshot.getAckedSeq(),
        new ArrayDeque<>(snapshot.getOutboxList()), DedupWindow.of(dedupWindow, snapshot.getRecentIdsList()),
        snapshot.getDevicesList(), snapshot.getConversationsList());
  }
}
