package io.herald.gateway.websocket;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Passes elements on, except {@code last} (compared by identity), which it holds back and emits when its upstream
 * completes: a frame that closes the session goes out after everything that was still on its way when it was decided.
 */
final class LastWord<T> extends GraphStage<FlowShape<T, T>> {

  private final T last;
  private final Inlet<T> in = Inlet.create("LastWord.in");
  private final Outlet<T> out = Outlet.create("LastWord.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);

  LastWord(T last) {
    this.last = last;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private boolean held;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            T element = grab(in);
            if (element == last) {
              held = true;
              pull(in);
            } else {
              push(out, element);
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (held) {
              // Completion waits until the element is out.
              emit(out, last);
            }
            complete(out);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }
        });
      }
    };
  }
}
