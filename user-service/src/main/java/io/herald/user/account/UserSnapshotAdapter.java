package io.herald.user.account;

import io.herald.persistence.DedupWindow;
import io.herald.protocol.events.v1.ConversationMembershipEntry;
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
        .addAllDevices(state.devices)
        .addAllMemberships(state.memberships.entrySet().stream().map(e -> ConversationMembershipEntry.newBuilder()
            .setConversationId(e.getKey()).setOwnerUserId(e.getValue().ownerUserId())
            .setMemberCount(e.getValue().memberCount()).setVersion(e.getValue().version())
            .setMember(e.getValue().member()).build()).toList())
        .setMembershipsDropped(state.membershipsDropped)
        .addAllDeviceCursors(state.cursors.entrySet().stream().map(cursor -> DeviceCursor.newBuilder()
            .setDeviceId(cursor.getKey()).setAckedSeq(cursor.getValue()).build()).toList())
        .build();
  }

  @Override
  public State fromJournal(Object from) {
    var snapshot = (UserSnapshot) from;
    return new State(snapshot.getUserId(), snapshot.getLastSeq(), snapshot.getAckedSeq(),
        new ArrayDeque<>(snapshot.getOutboxList()),
        DedupWindow.of(dedup, snapshot.getRecentIdsList(), snapshot.getRecentIdsAtMsList()),
        snapshot.getDevicesList(), memberships(snapshot), snapshot.getMembershipsDropped(), cursors(snapshot));
  }

  /**
   * In the snapshot's order, least recently changed first. A snapshot written before memberships lists the
   * conversations the user's messages named: each is taken as a membership of version 0 (any notice is newer).
   */
  private static Map<String, UserEntity.Membership> memberships(UserSnapshot snapshot) {
    var memberships = new LinkedHashMap<String, UserEntity.Membership>();
    snapshot.getConversationsList().forEach(id -> memberships.put(id, new UserEntity.Membership("", 0, 0, true)));
    snapshot.getMembershipsList().forEach(entry -> memberships.put(entry.getConversationId(), new UserEntity.Membership(
        entry.getOwnerUserId(), entry.getMemberCount(), entry.getVersion(), entry.getMember())));
    return memberships;
  }

  /** In the snapshot's order, least recently moved first. */
  private static Map<String, Long> cursors(UserSnapshot snapshot) {
    var cursors = new LinkedHashMap<String, Long>();
    snapshot.getDeviceCursorsList().forEach(cursor -> cursors.put(cursor.getDeviceId(), cursor.getAckedSeq()));
    return cursors;
  }
}
