package io.herald.infra;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a launcher stops, when its JVM exits, before the Kafka and Cassandra processes it started: the nodes that use
 * them. Ctrl-C, SIGTERM or {@code System.exit} run the JVM's shutdown hooks all at once; without this, the hook that
 * stops the child processes would stop Kafka and Cassandra while a node still drains its consumer and commits.
 */
public final class ExitOrder {

  private static final List<Runnable> FIRST = new CopyOnWriteArrayList<>();

  private ExitOrder() {}

  /** Runs {@code task} on exit, to its end, before any child process is stopped (tasks run in the order given). */
  public static void beforeChildProcessesStop(Runnable task) {
    FIRST.add(task);
  }

  static void runFirstTasks() {
    for (Runnable task : FIRST) {
      try {
        task.run();
      } catch (RuntimeException e) {
        System.err.println("[herald-infra] a task before stopping the child processes failed: " + e);
      }
    }
  }
}
