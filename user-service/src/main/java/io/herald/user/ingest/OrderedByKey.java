package io.herald.user.ingest;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
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
  private final Function<In, CompletionStage<Out>> apply;
  private final Inlet<In> in = Inlet.create("OrderedByKey.in");
  private final Outlet<Out> out = Outlet.create("OrderedByKey.out");
  private final FlowShape<In, Out> shape = FlowShape.of(in, out);

  OrderedByKey(int window, int parallelism, Function<In, String> keyOf, Function<In, CompletionStage<Out>> apply) {
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

  /** An element and its key, as it waits in the ready FIFO and while it applies. */
  private record Keyed<In>(String key, In element) {}

  /** How an apply ended. */
  private record Completion<In, Out>(Keyed<In> keyed, Out value, Throwable failure) {}

  private final class Logic extends GraphStageLogic {

    /**
     * One entry per key with an element ready or applying: the key's later elements, in arrival order. A key absent
     * here has nothing held, so its next element is ready at once.
     */
    private final HashMap<String, ArrayDeque<In>> lines = new HashMap<>();
    private final ArrayDeque<Keyed<In>> ready = new ArrayDeque<>();
    private final ArrayDeque<Out> completed = new ArrayDeque<>();
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
          applying++;
          CompletionStage<Out> stage;
          try {
            stage = apply.apply(keyed.element());
          } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
          }
          if (stage instanceof CompletableFuture<Out> future && future.isDone()) {
            // A duplicate, an unrouted record: no trip through the stage's mailbox.
            completed(completionOf(keyed, future));
          } else {
            // Synchronous: the callback only enqueues the completion for the stage.
            stage.whenComplete((value, failure) -> onCompletion.invoke(new Completion<>(keyed, value, failure)));
          }
        }
      } finally {
        starting = false;
      }
    }

    private Completion<In, Out> completionOf(Keyed<In> keyed, CompletableFuture<Out> done) {
      try {
        return new Completion<>(keyed, done.join(), null);
      } catch (CompletionException | CancellationException e) {
        return new Completion<>(keyed, null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
      }
    }

    private void completed(Completion<In, Out> completion) {
      applying--;
      if (completion.failure() != null) {
        failStage(completion.failure());
        return;
      }
      completed.addLast(completion.value());
      var key = completion.keyed().key();
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
