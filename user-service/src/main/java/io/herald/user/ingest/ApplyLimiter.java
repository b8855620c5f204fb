package io.herald.user.ingest;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Bounds how many records are being applied at once (asks to entities, and so journal writes), apart from how many the
 * consumer holds. The consumer's window holds records waiting for their own user's earlier ones too; if those counted
 * against the applying bound, one user with more records in hand than the bound would stop every other user's records
 * (measured: issue 14, NoisyNeighbourTest). Here a record takes an applying slot only once its turn in its user's
 * order has come; a record without a free slot waits in FIFO order, started by the completion that frees one.
 *
 * <p>Thread-safe: started from the stream and from completions on the dispatcher. The queue is bounded by the
 * consumer's window (it never holds more records than that).
 */
final class ApplyLimiter {

  private final int maxApplying;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int applying;
  private boolean starting;

  ApplyLimiter(int maxApplying) {
    if (maxApplying < 1) {
      throw new IllegalArgumentException("herald.user.ingest.parallelism must be >= 1, got " + maxApplying);
    }
    this.maxApplying = maxApplying;
  }

  /**
   * Runs {@code apply} now or once a slot is free; the answer completes as its stage does (on the thread that
   * completes that stage).
   */
  <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> apply) {
    var answer = new CompletableFuture<T>();
    Runnable start = () -> {
      CompletionStage<T> stage;
      try {
        stage = apply.get();
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      // Synchronous: frees the slot and hands it on, then completes on the stage's own thread.
      stage.whenComplete((value, failure) -> {
        release();
        if (failure != null) {
          answer.completeExceptionally(failure);
        } else {
          answer.complete(value);
        }
      });
    };
    synchronized (this) {
      waiting.addLast(start);
    }
    startWhatFits();
    return answer;
  }

  private void release() {
    synchronized (this) {
      applying--;
    }
    startWhatFits();
  }

  /**
   * Starts waiting records while slots are free. One thread at a time does it, in a loop rather than by recursion: a
   * record whose stage completes at once (a duplicate, an unrouted record) releases its slot inside {@code run}, and
   * the loop that is already running starts the next one.
   */
  private void startWhatFits() {
    while (true) {
      Runnable next;
      synchronized (this) {
        if (starting || waiting.isEmpty() || applying >= maxApplying) {
          return;
        }
        next = waiting.pollFirst();
        applying++;
        starting = true;
      }
      try {
        next.run();
      } finally {
        synchronized (this) {
          starting = false;
        }
      }
    }
  }

  synchronized int applying() {
    return applying;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
