package io.herald.persistence;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * What an entity does when the journal fails a write or a recovery (Pekko's default is to stop): it restarts after a
 * backoff and recovers from the journal, so a blip of the journal costs the entity a restart, not its life. The
 * command whose write failed gets no reply (its sender asks again: the pipeline redelivers the record, a session
 * retries), and the commands that arrive meanwhile are stashed and served by the recovered entity.
 *
 * <p>The backoff starts at {@value #MIN_BACKOFF_MS} ms and doubles up to {@value #MAX_BACKOFF_MS} ms, each delay spread
 * by up to {@value #RANDOM_FACTOR} of itself, so that the entities of a journal that came back do not all recover at
 * once. After {@value #MAX_RESTARTS} failed restarts in a row (each within {@value #RESET_AFTER_MS} ms of the last) the
 * journal is down rather than blinking, and the entity stops as without supervision: the next command starts it
 * again (Cluster Sharding), and a fenced node's entities, whose every Cassandra request is refused, stop. Every entity
 * passes it to its {@code EventSourcedBehavior} constructor (the Java form of {@code onPersistFailure}).
 */
public final class PersistFailure {

  static final long MIN_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 1_000;
  static final double RANDOM_FACTOR = 0.2;
  static final int MAX_RESTARTS = 3;
  static final long RESET_AFTER_MS = 10_000;

  /** Restart with backoff, at most a few times in a row; see the class comment for the settings. */
  public static final BackoffSupervisorStrategy RESTART_WITH_BACKOFF = SupervisorStrategy.restartWithBackoff(
          Duration.ofMillis(MIN_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS), RANDOM_FACTOR)
      .withMaxRestarts(MAX_RESTARTS)
      .withResetBackoffAfter(Duration.ofMillis(RESET_AFTER_MS));

  private PersistFailure() {}
}
