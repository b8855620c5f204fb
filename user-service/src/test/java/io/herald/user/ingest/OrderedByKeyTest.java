package io.herald.user.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OrderedByKeyTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** An element: its key and its place in the input. */
  private record Element(String key, int n) {
    @Override
    public String toString() {
      return key + n;
    }
  }

  /** Applies by handing out futures the test completes, remembering the order in which elements started. */
  private static final class Applies {
    final List<Element> started = new CopyOnWriteArrayList<>();
    final Map<Element, CompletableFuture<Element>> pending = new ConcurrentHashMap<>();

    CompletionStage<Element> apply(Element element) {
      var future = new CompletableFuture<Element>();
      pending.put(element, future);
      started.add(element);
      return future;
    }

    void complete(Element element) {
      await().atMost(Duration.ofSeconds(5)).until(() -> pending.containsKey(element));
      pending.get(element).complete(element);
    }

    void awaitStarted(List<Element> expected) {
      await().atMost(Duration.ofSeconds(5)).until(() -> started.size() >= expected.size());
      assertEquals(expected, started);
    }
  }

  private static List<Element> elements(String... keysInOrder) {
    var list = new ArrayList<Element>();
    for (int i = 0; i < keysInOrder.length; i++) {
      list.add(new Element(keysInOrder[i], i));
    }
    return list;
  }

  private static CompletableFuture<List<Element>> run(List<Element> input, int window, int parallelism,
      Applies applies) {
    return Source.from(input)
        .via(alone(window, parallelism, applies::apply))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture();
  }

  /** Every element applied alone, by {@code apply}. */
  private static OrderedByKey<Element, Element> alone(int window, int parallelism,
      Function<Element, CompletionStage<Element>> apply) {
    return new OrderedByKey<>(window, parallelism, Element::key, OrderedByKey.BatchRule.none(),
        batch -> apply.apply(batch.get(0)).thenApply(List::of));
  }

  @Test
  void elementsQueuedBehindTheirKeysTurnAreAppliedTogetherWithinTheRule() throws Exception {
    // a0 applies alone (nothing queued behind it yet); a1..a6 queue behind it. The rule: at most 3 elements and 100
    // bytes, and a4 joins no batch it does not start; a6 weighs 90.
    var input = List.of(new Element("a", 0), new Element("a", 1), new Element("a", 2), new Element("a", 3),
        new Element("a", 4), new Element("a", 5), new Element("a", 6), new Element("b", 7));
    var rule = new OrderedByKey.BatchRule<Element>(3, 100, e -> e.n() == 6 ? 90 : 10, (first, next) -> next.n() != 4);
    var started = new CopyOnWriteArrayList<List<Element>>();
    var pending = new ConcurrentHashMap<Element, CompletableFuture<List<Element>>>();
    var result = Source.from(input)
        .via(new OrderedByKey<Element, Element>(16, 4, Element::key, rule, batch -> {
          started.add(batch);
          var future = new CompletableFuture<List<Element>>();
          pending.put(batch.get(0), future);
          return future;
        }))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture();

    await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);
    assertEquals(List.of(List.of(input.get(0)), List.of(input.get(7))), started, "a0 and b7 alone, side by side");
    for (var first : List.of(0, 1, 4, 6)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> pending.containsKey(input.get(first)));
      var batch = started.stream().filter(b -> b.get(0).equals(input.get(first))).findFirst().orElseThrow();
      pending.get(input.get(first)).complete(batch);
    }
    pending.get(input.get(7)).complete(List.of(input.get(7)));
    assertEquals(List.of(List.of(input.get(0)), List.of(input.get(7)), input.subList(1, 4), input.subList(4, 6),
        List.of(input.get(6))), started, "by count (a1..a3), by the join (a4 starts one), by bytes (a6)");
    var emitted = result.get(5, TimeUnit.SECONDS);
    assertEquals(input.subList(0, 7), emitted.stream().filter(e -> e.key().equals("a")).toList(), "a's order kept");
    assertEquals(8, emitted.size(), "one output per element");
  }

  @Test
  void oneKeyAfterTheOtherAndDifferentKeysSideBySideEmittedAsTheyComplete() throws Exception {
    var input = elements("a", "b", "a", "c", "b");
    var applies = new Applies();
    var result = run(input, 16, 8, applies);

    applies.awaitStarted(List.of(input.get(0), input.get(1), input.get(3)));
    applies.complete(input.get(3));
    applies.complete(input.get(0));
    applies.awaitStarted(List.of(input.get(0), input.get(1), input.get(3), input.get(2)));
    applies.complete(input.get(1));
    applies.awaitStarted(List.of(input.get(0), input.get(1), input.get(3), input.get(2), input.get(4)));
    applies.complete(input.get(4));
    applies.complete(input.get(2));

    assertEquals(List.of(input.get(3), input.get(0), input.get(1), input.get(4), input.get(2)),
        result.get(5, TimeUnit.SECONDS), "emitted in the order they completed");
  }

  @Test
  void oneKeysBacklogWaitsInItsOwnLineAndTakesNoSlot() throws Exception {
    var input = elements("a", "a", "a", "a", "a", "a", "b", "c");
    var applies = new Applies();
    var result = run(input, 16, 2, applies);

    applies.awaitStarted(List.of(input.get(0), input.get(6)));
    applies.complete(input.get(6));
    applies.awaitStarted(List.of(input.get(0), input.get(6), input.get(7)));
    for (int i = 0; i < 6; i++) {
      applies.complete(input.get(i));
    }
    applies.complete(input.get(7));
    var emitted = result.get(5, TimeUnit.SECONDS);
    assertEquals(input.subList(0, 6), emitted.stream().filter(e -> e.key().equals("a")).toList(), "a's order kept");
    assertEquals(8, emitted.size());
  }

  @Test
  void holdsAtMostTheWindowAndAppliesAtMostTheParallelism() throws Exception {
    var input = IntStream.range(0, 100).mapToObj(i -> new Element(i % 10 == 0 ? "z" : "k" + i, i)).toList();
    var pulled = new AtomicInteger();
    var applies = new Applies();
    var result = Source.from(input)
        .map(e -> {
          pulled.incrementAndGet();
          return e;
        })
        .via(alone(20, 4, applies::apply))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture();

    await().atMost(Duration.ofSeconds(5)).until(() -> applies.started.size() == 4);
    // Let the stage do whatever it would do while nothing completes.
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
    assertEquals(4, applies.started.size(), "no more applying than the parallelism");
    assertTrue(pulled.get() <= 20 + 1, "pulled " + pulled.get() + " with a window of 20");

    // Complete everything as it starts, until all went through.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      applies.pending.forEach((element, future) -> future.complete(element));
      return result.isDone();
    });
    assertEquals(100, result.get().size());
    assertEquals(100, applies.started.size());
    assertEquals(input.stream().filter(e -> e.key().equals("z")).toList(),
        applies.started.stream().filter(e -> e.key().equals("z")).toList(), "one key's elements started in order");
  }

  @Test
  void appliesThatCompleteAtOnceRunInALoopNotARecursion() throws Exception {
    var input = IntStream.range(0, 200_000).mapToObj(i -> new Element("k" + (i % 3), i)).toList();
    var emitted = Source.from(input)
        .via(alone(1024, 32, CompletableFuture::completedFuture))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    assertEquals(input, emitted, "completed at once: emitted in input order");
  }

  @Test
  void aFailedApplyFailsTheStage() {
    var input = elements("a", "b");
    var failure = Source.from(input)
        .via(alone(16, 4, e -> e.key().equals("b")
            ? CompletableFuture.failedFuture(new IllegalStateException("entity did not answer"))
            : new CompletableFuture<>()))
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture();
    var thrown = assertThrows(ExecutionException.class, () -> failure.get(5, TimeUnit.SECONDS));
    assertEquals("entity did not answer", thrown.getCause().getMessage());
  }

  @Test
  void refusesAWindowBelowTheParallelism() {
    assertThrows(IllegalArgumentException.class, () -> alone(2, 4, CompletableFuture::completedFuture));
    assertThrows(IllegalArgumentException.class, () -> alone(4, 0, CompletableFuture::completedFuture));
    assertThrows(IllegalArgumentException.class,
        () -> new OrderedByKey.BatchRule<Element>(0, 100, e -> 1, (first, next) -> true));
  }
}
