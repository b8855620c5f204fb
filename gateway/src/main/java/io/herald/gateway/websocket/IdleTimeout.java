package io.herald.gateway.websocket;

import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.StreamIdleTimeoutException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Fails the stream with {@link StreamIdleTimeoutException} when no element passed for {@code timeout}, looking every
 * {@code timeout / 8}: a stream silent for {@code timeout} fails within {@code timeout × 1.125}. Pekko's
 * {@code idleTimeout} looks every second for any timeout over a second, so for a 60 s timeout each held session
 * cost 7.5 times the timer firings (each a message to the session's stream actor), for nothing.
 */
final class IdleTimeout<T> extends GraphStage<FlowShape<T, T>> {

  private static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(100);

  private final long timeoutNanos;
  private final Duration checkInterval;
  private final Inlet<T> in = Inlet.create("IdleTimeout.in");
  private final Outlet<T> out = Outlet.create("IdleTimeout.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);

  IdleTimeout(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    Duration eighth = timeout.dividedBy(8);
    this.checkInterval = eighth.compareTo(MIN_CHECK_INTERVAL) < 0 ? MIN_CHECK_INTERVAL : eighth;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private long lastElementNanos = System.nanoTime();

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            lastElementNanos = System.nanoTime();
            push(out, grab(in));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }
        });
      }

      @Override
      public void preStart() {
        scheduleWithFixedDelay("idle", checkInterval, checkInterval);
      }

      @Override
      public void onTimer(Object timerKey) {
        long silentNanos = System.nanoTime() - lastElementNanos;
        if (silentNanos >= timeoutNanos) {
          failStage(new StreamIdleTimeoutException(
              "No elements passed in the last " + Duration.ofNanos(timeoutNanos).toSeconds() + " s"));
        }
      }
    };
  }
}
