package io.herald.signals.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Where Herald continues a future: on a Pekko dispatcher, never on the JDK's default executor.
 *
 * <p>The default executor of {@code CompletableFuture} is {@code ForkJoinPool.commonPool()}, unless its parallelism
 * is below 2 (a machine or container with 2 CPUs or fewer): then it starts a new thread for every task. The stages
 * Pekko hands to Java (asks, streams' materialized values, retries, the circuit breaker, Kafka sends) are Scala
 * futures converted by {@code scala.jdk.FutureConverters}, which runs even {@code thenApply}, {@code handle} and
 * {@code whenComplete} on that default executor. So, throughout Herald:
 *
 * <ul>
 *   <li>a continuation names its executor: {@code stage.thenApplyAsync(fn, dispatcher)}, {@code
 *       handleAsync(fn, dispatcher)} and so on, with the actor system's dispatcher ({@code
 *       system.executionContext()});
 *   <li>a stage handed to an API that continues it without an executor (Pekko's {@code pipeToSelf} calls {@code
 *       handle}) goes through {@link #onDispatcher} first;
 *   <li>only a plain {@code CompletableFuture} that is completed on a known thread is continued synchronously, and
 *       the code says so: one that the same class completes, or one that a method documents as "completed on the
 *       dispatcher" (the result of an {@code *Async(fn, dispatcher)} continuation of any stage, or of {@link
 *       #onDispatcher}: the JDK makes a continuation's result a plain {@code CompletableFuture}, even of a converted
 *       Scala future). On the hot paths this saves a dispatcher hop per step: once the answer of Kafka or of an
 *       entity is on the dispatcher, the rest of a frame's steps run there one after the other.
 * </ul>
 *
 * <p>{@code StartedThreadsTest} (deploy/node) runs frames through a node that sees 2 CPUs and fails when the node
 * starts threads per frame; docs/performance.md has the measurements.
 */
public final class Continuations {

  private Continuations() {}

  /**
   * A plain future with the stage's outcome, the same value or the same (unwrapped) failure, completed on {@code
   * dispatcher}: whatever continues it synchronously runs there.
   */
  public static <T> CompletionStage<T> onDispatcher(CompletionStage<T> stage, Executor dispatcher) {
    var adopted = new CompletableFuture<T>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        adopted.complete(value);
      } else {
        adopted.completeExceptionally(failure);
      }
    }, dispatcher);
    return adopted;
  }
}
