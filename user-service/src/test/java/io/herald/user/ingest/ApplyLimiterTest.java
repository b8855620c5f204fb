package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApplyLimiterTest {

  @Test
  void appliesAtMostTheBoundAtOnceAndStartsTheWaitingInArrivalOrder() {
    var limiter = new ApplyLimiter(2);
    List<CompletableFuture<String>> stages = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletionStage<String>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      var stage = new CompletableFuture<String>();
      stages.add(stage);
      answers.add(limiter.submit(() -> {
        started.add(n);
        return stage;
      }));
    }
    assertEquals(List.of(0, 1), started);
    assertEquals(2, limiter.applying());
    assertEquals(3, limiter.waiting());

    stages.get(1).complete("one");
    assertEquals(List.of(0, 1, 2), started, "a free slot starts the first waiting");
    assertEquals("one", answers.get(1).toCompletableFuture().join());
    stages.get(0).completeExceptionally(new IllegalStateException("entity did not answer"));
    assertEquals(List.of(0, 1, 2, 3), started, "a failure frees its slot too");
    assertTrue(answers.get(0).toCompletableFuture().isCompletedExceptionally());
    assertEquals(2, limiter.applying());
  }

  @Test
  void anApplyThatThrowsFreesItsSlotAndFailsItsAnswer() {
    var limiter = new ApplyLimiter(1);
    CompletionStage<String> thrown = limiter.submit(() -> {
      throw new IllegalArgumentException("bad record");
    });
    assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
    assertEquals(0, limiter.applying());
    assertEquals("next", limiter.submit(() -> CompletableFuture.completedFuture("next")).toCompletableFuture().join());
  }

  @Test
  void recordsThatCompleteAtOnceDoNotRecurseThroughTheQueue() {
    var limiter = new ApplyLimiter(1);
    var blocker = new CompletableFuture<String>();
    limiter.submit(() -> blocker);
    var done = new AtomicInteger();
    for (int i = 0; i < 200_000; i++) {
      limiter.submit(() -> CompletableFuture.completedFuture("duplicate")).thenRun(done::incrementAndGet);
    }
    assertEquals(200_000, limiter.waiting());
    blocker.complete("applied");
    assertEquals(200_000, done.get(), "every waiting record ran, one after the other, without a deep stack");
    assertEquals(0, limiter.applying());
    assertEquals(0, limiter.waiting());
  }
}
