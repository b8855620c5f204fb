package io.herald.persistence.fence;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's permission to write: persist events, save or delete snapshots, commit Kafka offsets, send pushes. Once
 * the node may have been replaced by the cluster, the permission is gone for good and the node stops.
 *
 * <p><b>Why.</b> A process paused longer than the cluster's failure detection (SIGSTOP, a VM stall, a swap storm, a
 * long GC) is downed by the others, and its shards and Kafka partitions move. When it wakes, every one of its threads
 * resumes at once, each still believing it owns what it owned: an entity in the middle of its mailbox persists, the
 * consumer commits, before any cluster event can tell the node it was downed. Those writes are a second writer.
 *
 * <p><b>How.</b> A watchdog thread beats every {@code tick}. A writer asks {@link #permits()} right before it hands
 * its write over, and is refused when the last beat is older than {@code max-pause} (measured on the monotonic clock,
 * which keeps running while the process is stopped). So after a pause, no write passes, whichever thread runs first:
 * the beat that would renew the permission is the watchdog's, and the watchdog, seeing the gap, fences instead. The
 * cluster cannot replace a node that stayed silent for less than {@code max-pause}: it must first miss heartbeats for
 * the failure detector's acceptable pause and then wait the Split Brain Resolver's {@code stable-after}, which the
 * node checks at start ({@link #requireBelow}). A node that learns it was downed fences too.
 */
public final class WriterFence implements Extension {

  private static final Logger log = LoggerFactory.getLogger(WriterFence.class);

  public static WriterFence get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private static final class Id extends ExtensionId<WriterFence> {
    static final Id INSTANCE = new Id();

    @Override
    public WriterFence createExtension(ActorSystem<?> system) {
      var config = system.settings().config().getConfig("herald.persistence.fence");
      var fence = new WriterFence(maxPause(system.settings().config()), System::nanoTime);
      if (config.getBoolean("stop-node-when-fenced")) {
        var stopAfter = config.getDuration("stop-after");
        fence.whenFenced(() -> {
          // A system already gone has nothing left to stop (and its scheduler takes no more tasks).
          if (fence.watching) {
            system.scheduler().scheduleOnce(stopAfter, system::terminate, system.executionContext());
          }
        });
      }
      fence.startWatchdog(config.getDuration("tick"), system.name());
      // The watchdog ends with its system, so a JVM that starts many systems (tests) keeps no thread per system.
      system.classicSystem().registerOnTermination(() -> fence.watching = false);
      return fence;
    }
  }

  static final String HEARTBEAT_PAUSE = "pekko.cluster.failure-detector.acceptable-heartbeat-pause";
  static final String STABLE_AFTER = "pekko.cluster.split-brain-resolver.stable-after";

  /**
   * {@code herald.persistence.fence.max-pause}: a duration, or {@code auto} for half of the earliest time the cluster
   * can replace a silent node (acceptable-heartbeat-pause + stable-after). Half, because a pause shorter than that
   * time is safe and a longer max-pause only stops fewer healthy nodes: a fixed 2 s stopped a healthy node of a chaos
   * cluster at a load average of 50-88 (its beat came 2.9 s late), where the cluster itself would have waited 8 s.
   */
  static Duration maxPause(Config config) {
    var configured = config.getString("herald.persistence.fence.max-pause");
    if (!configured.equals("auto")) {
      return config.getDuration("herald.persistence.fence.max-pause");
    }
    if (!config.hasPath(HEARTBEAT_PAUSE) || !config.hasPath(STABLE_AFTER)) {
      throw new IllegalStateException("herald.persistence.fence.max-pause = auto needs " + HEARTBEAT_PAUSE + " and "
          + STABLE_AFTER + " (Pekko Cluster and its Split Brain Resolver); without them set max-pause to a duration");
    }
    return config.getDuration(HEARTBEAT_PAUSE).plus(config.getDuration(STABLE_AFTER)).dividedBy(2);
  }

  private final long maxPauseNanos;
  private final LongSupplier clock;
  private volatile long lastBeat;
  private volatile String fencedBecause;
  private volatile boolean watching = true;
  private final List<Runnable> whenFenced = new CopyOnWriteArrayList<>();
  private final Timer lateness = Timer.builder("herald.fence.watchdog.lateness")
      .description("How late the pause watchdog's beat came: a process pause, GC or CPU starvation shows here first")
      .register(Metrics.globalRegistry);

  WriterFence(Duration maxPause, LongSupplier clock) {
    this.maxPauseNanos = maxPause.toNanos();
    this.clock = clock;
    this.lastBeat = clock.getAsLong();
    Gauge.builder("herald.fence.fenced", this, fence -> fence.fenced() ? 1 : 0)
        .description("1 once this node refuses every write: it was paused past max-pause, or downed")
        .register(Metrics.globalRegistry);
  }

  /** Whether a write may go out now. Refusing for a stale beat fences for good: the pause is already over. */
  public boolean permits() {
    if (fencedBecause != null) {
      return false;
    }
    return !fencedForSilence(clock.getAsLong() - lastBeat, "a writer");
  }

  /** The failure of a write that {@link #permits()} refused. */
  public WriterFencedException refusal(String write) {
    return new WriterFencedException(write, fencedBecause == null ? "not fenced" : fencedBecause);
  }

  public boolean fenced() {
    return fencedBecause != null;
  }

  /** No write passes any more; the node stops (when so configured). Idempotent. */
  public void fence(String reason) {
    synchronized (this) {
      if (fencedBecause != null) {
        return;
      }
      fencedBecause = reason;
    }
    log.error("Writer fenced, this node writes nothing more and stops: {}", reason);
    whenFenced.forEach(Runnable::run);
  }

  /** Runs {@code action} once the node is fenced (at once if it already is): to stop what would keep running. */
  public void whenFenced(Runnable action) {
    whenFenced.add(action);
    if (fenced() && whenFenced.remove(action)) {
      action.run();
    }
  }

  /** The watchdog's beat: renews the permission, or fences when the previous beat is too long ago. */
  void beat(long tickNanos) {
    long now = clock.getAsLong();
    long silent = now - lastBeat;
    lateness.record(Math.max(0, silent - tickNanos), TimeUnit.NANOSECONDS);
    if (!fencedForSilence(silent, "the pause watchdog")) {
      lastBeat = now;
    }
  }

  /** Fences when the watchdog has been silent longer than max-pause, as seen by {@code observer}. */
  private boolean fencedForSilence(long silentNanos, String observer) {
    if (silentNanos > maxPauseNanos) {
      fence(observer + " found no beat of the pause watchdog for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
          + " ms (max-pause " + TimeUnit.NANOSECONDS.toMillis(maxPauseNanos) + " ms): this node may have been replaced");
    }
    return fenced();
  }

  private void startWatchdog(Duration tick, String systemName) {
    long tickNanos = tick.toNanos();
    var thread = new Thread(() -> {
      while (watching && fencedBecause == null) {
        LockSupport.parkNanos(tickNanos);
        beat(tickNanos);
      }
    }, systemName + "-pause-watchdog");
    thread.setDaemon(true);
    thread.setPriority(Thread.MAX_PRIORITY);
    thread.start();
  }

  /**
   * Refuses a {@code max-pause} that the cluster could outlast: a node silent for less than the failure detector's
   * acceptable pause plus stable-after cannot have been downed, so a shorter pause may keep writing.
   */
  public void requireBelow(Duration earliestReplacement) {
    if (maxPauseNanos >= earliestReplacement.toNanos()) {
      throw new IllegalStateException("herald.persistence.fence.max-pause (" + Duration.ofNanos(maxPauseNanos)
          + ") must be below the earliest time the cluster can replace a silent node (" + earliestReplacement
          + ": failure detector acceptable-heartbeat-pause + split-brain-resolver stable-after)");
    }
  }
}
