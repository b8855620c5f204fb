package io.herald.persistence;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * The most recent message ids an entity applied, oldest first, bounded: a redelivered or resent message whose id is
 * still in the window is recognised as a duplicate. Part of entity state, so it is persisted with the snapshot and
 * rebuilt from events on recovery.
 *
 * <p>Mutable on purpose: only the entity's event handler changes it, one event at a time.
 */
public final class DedupWindow {

  private final int capacity;
  private final LinkedHashSet<String> ids = new LinkedHashSet<>();

  public DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  public static DedupWindow of(int capacity, List<String> oldestFirst) {
    var window = new DedupWindow(capacity);
    oldestFirst.forEach(window::add);
    return window;
  }

  public boolean contains(String messageId) {
    return ids.contains(messageId);
  }

  /**
   * Whether {@code messageId}, chosen within {@code scope}, is in the window. Message ids are unique per device, not
   * across devices or users, so an entity that several of them write to (a user's devices, a conversation's members)
   * keeps each id with its scope; a bare id, added before ids were kept so, counts too.
   */
  public boolean contains(String scope, String messageId) {
    return ids.contains(scoped(scope, messageId)) || ids.contains(messageId);
  }

  /** Adds {@code messageId} with the scope it was chosen in (see {@link #contains(String, String)}). */
  public void add(String scope, String messageId) {
    add(scoped(scope, messageId));
  }

  private static String scoped(String scope, String messageId) {
    return scope + '\u0000' + messageId;
  }

  public void add(String messageId) {
    ids.remove(messageId);
    ids.add(messageId);
    if (ids.size() > capacity) {
      ids.remove(ids.iterator().next());
    }
  }

  /** Oldest first, as stored in snapshots. */
  public List<String> toList() {
    return List.copyOf(ids);
  }

  public int size() {
    return ids.size();
  }
}
