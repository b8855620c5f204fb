package io.herald.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message ids an entity applied, oldest first, each with the time it was applied: a redelivered or resent message
 * whose id is still in the window is recognised as a duplicate. Part of entity state, so it is persisted with the
 * snapshot and rebuilt from events on recovery.
 *
 * <p>Bounded by time and by count ({@link Bounds}). An id stays at least {@code retention} (the resend horizon): it is
 * forgotten by time only once the newest id in the window is more than {@code retention} younger. It stays at most
 * until {@code capacity} newer ids came: past the count the oldest leaves, even before its horizon, and the
 * {@link EvictionListener} hears of it (the promise to the client at risk). An id forgotten either way that comes again
 * is applied again.
 *
 * <p>Times come from the events (when the gateway received the frame, or when the command handler persisted the
 * event), never from the clock of the event handler, so replay rebuilds the same window. Ids of older snapshots and
 * events carry no time ({@link #UNKNOWN_TIME}): they leave by count only, as they always did, and while the oldest id
 * has no time no younger one is forgotten by time either.
 *
 * <p>Mutable on purpose: only the entity's event handler changes it, one event at a time.
 */
public final class DedupWindow {

  /** The time of an id applied before ids were kept with their time. */
  public static final long UNKNOWN_TIME = 0;

  /**
   * How long an id is kept at least ({@code retention}, the resend horizon) and how many are kept at most
   * ({@code capacity}).
   */
  public record Bounds(int capacity, Duration retention) {
    public Bounds {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive: " + retention);
      }
    }

    /** {@code dedup-window} (count) and {@code dedup-retention} (duration) of an entity's settings. */
    public static Bounds fromConfig(Config entitySettings) {
      return new Bounds(entitySettings.getInt("dedup-window"), entitySettings.getDuration("dedup-retention"));
    }
  }

  /** Hears of an id that left by count before its resend horizon was over. */
  @FunctionalInterface
  public interface EvictionListener {
    void evictedBeforeRetention(long ageMs);

    EvictionListener NONE = ageMs -> { };
  }

  private final Bounds bounds;
  private final long retentionMs;
  // Insertion order: the id added least recently first.
  private final LinkedHashMap<String, Long> appliedAtMs = new LinkedHashMap<>();
  // The newest time of any id added: the window's clock, moved only by events.
  private long newestAtMs = Long.MIN_VALUE;
  private EvictionListener listener = EvictionListener.NONE;

  public DedupWindow(Bounds bounds) {
    this.bounds = bounds;
    this.retentionMs = bounds.retention().toMillis();
  }

  /**
   * A window restored from a snapshot: {@code oldestFirst} ids with their times at the same index of
   * {@code appliedAtMs}; ids past the end of {@code appliedAtMs} (snapshots written before times were kept) have none.
   */
  public static DedupWindow of(Bounds bounds, List<String> oldestFirst, List<Long> appliedAtMs) {
    var window = new DedupWindow(bounds);
    for (int i = 0; i < oldestFirst.size(); i++) {
      window.add(oldestFirst.get(i), i < appliedAtMs.size() ? appliedAtMs.get(i) : UNKNOWN_TIME);
    }
    return window;
  }

  /**
   * From now on, evictions by count before the horizon are told to {@code listener}. Set once recovery completed, so
   * that replayed events do not report them again.
   */
  public void reportTo(EvictionListener listener) {
    this.listener = listener;
  }

  public boolean contains(String messageId) {
    return appliedAtMs.containsKey(messageId);
  }

  /**
   * Whether {@code messageId}, chosen within {@code scope}, is in the window. Message ids are unique per device, not
   * across devices or users, so an entity that several of them write to (a user's devices, a conversation's members)
   * keeps each id with its scope; a bare id, added before ids were kept so, counts too.
   */
  public boolean contains(String scope, String messageId) {
    return appliedAtMs.containsKey(scoped(scope, messageId)) || appliedAtMs.containsKey(messageId);
  }

  /** Adds {@code messageId} with the scope it was chosen in (see {@link #contains(String, String)}). */
  public void add(String scope, String messageId, long atMs) {
    add(scoped(scope, messageId), atMs);
  }

  private static String scoped(String scope, String messageId) {
    return scope + '\u0000' + messageId;
  }

  /** Adds {@code messageId}, applied at {@code atMs} (the event's time; {@link #UNKNOWN_TIME} if it has none). */
  public void add(String messageId, long atMs) {
    appliedAtMs.remove(messageId);
    appliedAtMs.put(messageId, atMs);
    if (atMs != UNKNOWN_TIME) {
      newestAtMs = Math.max(newestAtMs, atMs);
    }
    forgetExpired();
    while (appliedAtMs.size() > bounds.capacity()) {
      var oldest = appliedAtMs.entrySet().iterator();
      long oldestAtMs = oldest.next().getValue();
      oldest.remove();
      if (oldestAtMs != UNKNOWN_TIME && !expired(oldestAtMs)) {
        listener.evictedBeforeRetention(newestAtMs - oldestAtMs);
      }
    }
  }

  /** Forgets ids older than the horizon, oldest first, up to the first one that is not (or has no time). */
  private void forgetExpired() {
    Iterator<Map.Entry<String, Long>> oldest = appliedAtMs.entrySet().iterator();
    while (oldest.hasNext()) {
      long atMs = oldest.next().getValue();
      if (atMs == UNKNOWN_TIME || !expired(atMs)) {
        return;
      }
      oldest.remove();
    }
  }

  private boolean expired(long atMs) {
    // An age that overflows (times from far apart clocks) is past any horizon.
    long ageMs = newestAtMs - atMs;
    return atMs < newestAtMs && (ageMs < 0 || ageMs > retentionMs);
  }

  /** Ids oldest first, as stored in snapshots. */
  public List<String> toList() {
    return List.copyOf(appliedAtMs.keySet());
  }

  /** The time of each id of {@link #toList()}, at the same index. */
  public List<Long> appliedAtMs() {
    return new ArrayList<>(appliedAtMs.values());
  }

  public int size() {
    return appliedAtMs.size();
  }

  public Bounds bounds() {
    return bounds;
  }
}
