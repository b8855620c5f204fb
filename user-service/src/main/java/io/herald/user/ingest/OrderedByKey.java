package io.herald.user.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Applies elements one key after the other and different keys side by side, at a constant cost per element.
 *
 * <ul>
 *   <li>Order: an element starts only after every earlier element of its key completed; elements of different keys
 *       start in the order they became ready and complete in any order, and are emitted as they complete.
 *   <li>{@code window}: elements held (waiting for their key, waiting for a slot, applying, or completed and not yet
 *       taken downstream); past it the stage stops pulling.
 *   <li>{@code parallelism}: elements applying at once. Only an element whose turn in its key has come takes a slot,
 *       so one key's backlog waits in its own line and never takes every slot (issue 14, NoisyNeighbourTest).
 *   <li>Batches: when an element's turn comes, the elements queued right behind it in its key's line that
 *       {@link BatchRule#joins join} it are applied with it, in order, in one apply (up to the rule's count and bytes):
 *       a key that fell behind catches up in fewer, larger applies. An apply answers one output per element, in order.
 *   <li>Failure: a failed apply fails the stage (as {@code mapAsync} does).
 * </ul>
 *
 * <p>Why not Pekko's {@code mapAsyncPartitionedUnordered}: in Pekko 1.x it scans its whole buffer for every element
 * (filtering it and looking each element's partition up), O(window) per element, which with the consumer's window of
 * 1,024 was 8.5 % of a node's CPU (docs/performance.md, section 8). Here each key has a line of its own and a FIFO
 * holds the elements whose turn has come.
 */
final class OrderedByKey<In, Out> extends GraphStage<FlowShape<In, Out>> {

  private final int window;
  private final int parallelism;
  private final Function<In, String> keyOf;
  private final BatchRule<In> batches;
  private final Function<List<In>, CompletionStage<List<Out>>> apply;
  private final Inlet<In> in = Inlet.create("OrderedByKey.in");
  private final Outlet<Out> out = Outlet.create("OrderedByKey.out");
  private final FlowShape<In, Out> shape = FlowShape.of(in, out);

  /**
   * Which elements are applied together: at most {@code maxElements} and {@code maxBytes} (by {@code bytesOf}; the
   * first element is taken whatever its size), each following element joining the first ({@code joins(first, next)}).
   */
  record BatchRule<In>(int maxElements, long maxBytes, ToLongFunction<In> bytesOf, BiPredicate<In, In> joins) {

    BatchRule {
      if (maxElements < 1) {
        throw new IllegalArgumentException("herald.user.ingest.batch.max-records must be >= 1, got " + maxElements);
      }
    }

    /** Every element applied alone. */
    static <In> BatchRule<In> none() {
      return new BatchRule<>(1, Long.MAX_VALUE, element -> 0, (first, next) -> false);
    }
  }

  OrderedByKey(int window, int parallelism, Function<In, String> keyOf, BatchRule<In> batches,
      Function<List<In>, CompletionStage<List<Out>>> apply) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("herald.user.ingest.parallelism must be >= 1, got " + parallelism);
    }
    if (window < parallelism) {
      throw new IllegalArgumentException(
          "herald.user.ingest.window (" + window + ") must be >= herald.user.ingest.parallelism (" + parallelism + ")");
    }
    this.window = window;
    this.parallelism = parallelism;
    this.keyOf = keyOf;
    this.batches = batches;
    this.apply = apply;
  }

  @Override
  public FlowShape<In, Out> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new Logic();
  }

  /** An element and its key, as it waits in the ready FIFO. */
  private record Keyed<In>(String key, In element) {}

  /** How the apply of a key's batch ended. */
  private record Completion<In, Out>(String key, List<In> batch, List<Out> values, Throwable failure) {}

  private final class Logic extends GraphStageLogic {

    /**
     * One entry per key with an element ready or applying: the key's later elements, in arrival order. A key absent
     * here has nothing held, so its next element is ready at once.
     */
    private final HashMap<String, ArrayDeque<In>> lines = new HashMap<>();
    private final ArrayDeque<Keyed<In>> ready = new ArrayDeque<>();
    private final ArrayDeque<Out> completed = new ArrayDeque<>();
    /** Elements waiting or applying, and outputs not yet taken downstream. */
    private int held;
    private int applying;
    /** Set while {@link #startWhatFits} runs: an apply that completes at once is handled by its loop, not recursively. */
    private boolean starting;
    private final AsyncCallback<Completion<In, Out>> onCompletion = createAsyncCallback(this::completed);

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          var element = grab(in);
          held++;
          var key = keyOf.apply(element);
          var line = lines.get(key);
          if (line != null) {
            line.addLast(element);
          } else {
            lines.put(key, new ArrayDeque<>(2));
            ready.addLast(new Keyed<>(key, element));
            startWhatFits();
          }
          pullIfRoom();
        }

        @Override
        public void onUpstreamFinish() {
          if (held == 0) {
            completeStage();
          }
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pushIfCompleted();
          pullIfRoom();
        }
      });
    }

    @Override
    public void preStart() {
      pull(in);
    }

    private void pullIfRoom() {
      if (held < window && !isClosed(in) && !hasBeenPulled(in)) {
        pull(in);
      }
    }

    private void pushIfCompleted() {
      if (!completed.isEmpty() && isAvailable(out)) {
        held--;
        push(out, completed.pollFirst());
      }
      if (held == 0 && isClosed(in)) {
        completeStage();
      }
    }

    private void startWhatFits() {
      if (starting) {
        return;
      }
      starting = true;
      try {
        while (applying < parallelism && !ready.isEmpty() && !isClosed(out)) {
          var keyed = ready.pollFirst();
          var batch = batchOf(keyed);
          applying++;
          CompletionStage<List<Out>> stage;
          try {
            stage = apply.apply(batch);
          } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
          }
          if (stage instanceof CompletableFuture<List<Out>> future && future.isDone()) {
            // A duplicate, an unrouted record: no trip through the stage's mailbox.
            completed(completionOf(keyed.key(), batch, future));
          } else {
            // Synchronous: the callback only enqueues the completion for the stage.
            stage.whenComplete((values, failure) ->
                onCompletion.invoke(new Completion<>(keyed.key(), batch, values, failure)));
          }
        }
      } finally {
        starting = false;
      }
    }

    /** The element whose turn came, and those right behind it in its key's line that join it. */
    private List<In> batchOf(Keyed<In> keyed) {
      var first = keyed.element();
      var line = lines.get(keyed.key());
      if (batches.maxElements() == 1 || line.isEmpty()) {
        return List.of(first);
      }
      var batch = new ArrayList<In>(Math.min(batches.maxElements(), line.size() + 1));
      batch.add(first);
      long bytes = batches.bytesOf().applyAsLong(first);
      while (batch.size() < batches.maxElements() && !line.isEmpty()) {
        var next = line.peekFirst();
        long nextBytes = batches.bytesOf().applyAsLong(next);
        if (bytes + nextBytes > batches.maxBytes() || !batches.joins().test(first, next)) {
          break;
        }
        batch.add(line.pollFirst());
        bytes += nextBytes;
      }
      return batch;
    }

    private Completion<In, Out> completionOf(String key, List<In> batch, CompletableFuture<List<Out>> done) {
      try {
        return new Completion<>(key, batch, done.join(), null);
      } catch (CompletionException | CancellationException e) {
        return new Completion<>(key, batch, null,
            e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
      }
    }

    private void completed(Completion<In, Out> completion) {
      applying--;
      if (completion.failure() != null) {
        failStage(completion.failure());
        return;
      }
      held -= completion.batch().size();
      held += completion.values().size();
      completion.values().forEach(completed::addLast);
      var key = completion.key();
      var line = lines.get(key);
      var next = line.pollFirst();
      if (next != null) {
        ready.addLast(new Keyed<>(key, next));
      } else {
        lines.remove(key);
      }
      pushIfCompleted();
      startWhatFits();
      pullIfRoom();
    }
  }
}
