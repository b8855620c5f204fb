package io.herald.gateway.websocket;

import java.time.Duration;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.ProtocolException;
import org.apache.pekko.http.impl.engine.ws.WebSocket;
import org.apache.pekko.http.scaladsl.model.ws.PeerClosedConnectionException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * The WebSocket layer between Pekko HTTP's frame handling (control frames, close handshake) and a session: it
 * assembles each incoming message from its frames, keeping at most {@code maxMessageBytes + 1} of them, and sends each
 * outgoing message as one frame.
 *
 * <p>It takes the place of Pekko HTTP's message API, the layer {@code handleWebSocketMessages} puts there, which opens
 * two substreams for every incoming message ({@code splitAfter}, then {@code prefixAndTail}) and materializes one of
 * them, and gives every connection a tick source: a fifth of a held session's heap, and twice the time to answer a
 * burst's refusals (docs/performance.md, section 11). Everything else follows that
 * layer ({@code WebSocket.messageAPI} in Pekko HTTP 1.3): events for the other side of the connection (answers to
 * pings, the peer's close) are passed on to it, the peer's close ends the session's input (failing it when the close
 * carries an error code or cuts a message short), and the session's end becomes the close frame. The close timeout's
 * ticks, which Pekko's layer sends for the whole life of a connection, start only once a close has begun: only then
 * does the frame handler read them.
 */
final class MessageLayer extends GraphStage<BidiShape<FrameHandler.Output, InboundMessage, ByteString, Object>> {

  private static final String TICK = "close-timeout-tick";
  /** RFC 6455's opcode of a binary frame. */
  private static final Protocol.Opcode BINARY = Protocol.Opcode$.MODULE$.forCode((byte) 0x2);

  private final Inlet<FrameHandler.Output> fromFrames = Inlet.create("MessageLayer.fromFrames");
  private final Outlet<InboundMessage> toSession = Outlet.create("MessageLayer.toSession");
  private final Inlet<ByteString> fromSession = Inlet.create("MessageLayer.fromSession");
  private final Outlet<Object> toFrames = Outlet.create("MessageLayer.toFrames");
  private final BidiShape<FrameHandler.Output, InboundMessage, ByteString, Object> shape =
      BidiShape.of(fromFrames, toSession, fromSession, toFrames);

  private final int maxMessageBytes;
  private final Duration closeTimeout;

  MessageLayer(int maxMessageBytes, Duration closeTimeout) {
    this.maxMessageBytes = maxMessageBytes;
    this.closeTimeout = closeTimeout;
  }

  @Override
  public BidiShape<FrameHandler.Output, InboundMessage, ByteString, Object> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("MessageLayer");
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      /** The message being read, or null between messages. */
      private BoundedBytes message;
      private boolean text;
      private boolean framesEnded;
      private boolean sessionEnded;
      private final Runnable pullFrames = () -> {
        if (!isClosed(fromFrames) && !hasBeenPulled(fromFrames)) {
          pull(fromFrames);
        }
      };

      {
        setHandler(fromFrames, new AbstractInHandler() {
          @Override
          public void onPush() {
            FrameHandler.Output event = grab(fromFrames);
            if (event instanceof FrameHandler.MessageDataPart part) {
              read(part);
              pullFrames.run();
            } else if (event == FrameHandler.MessageEnd$.MODULE$) {
              messageEnded();
            } else if (event instanceof FrameHandler.BypassEvent bypass) {
              if (bypass instanceof FrameHandler.ActivelyCloseWithCode) {
                startClosing();
              }
              emit(toFrames, bypass, () -> {
                if (bypass instanceof FrameHandler.PeerClosed closed) {
                  peerClosed(closed);
                } else if (bypass instanceof FrameHandler.ActivelyCloseWithCode close) {
                  closingWith(close);
                }
                pullFrames.run();
              });
            } else {
              pullFrames.run();
            }
          }

          @Override
          public void onUpstreamFinish() {
            framesEnded = true;
            complete(toSession);
            completeWhenBothEnded();
          }
        });
        setHandler(toSession, new AbstractOutHandler() {
          @Override
          public void onPull() {
            // Messages are emitted as they end; frames are read as long as the other side takes its events.
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            // The session reads no more, but the close handshake still needs the peer's frames.
            pullFrames.run();
          }
        });
        setHandler(fromSession, new AbstractInHandler() {
          @Override
          public void onPush() {
            emit(toFrames, FrameEvent$.MODULE$.fullFrame(
                BINARY, Option.empty(), grab(fromSession), true, false, false, false));
          }

          @Override
          public void onUpstreamFinish() {
            sessionEnded(FrameHandler.UserHandlerCompleted$.MODULE$);
          }

          @Override
          public void onUpstreamFailure(Throwable cause) {
            sessionEnded(new FrameHandler.UserHandlerErredOut(cause));
          }
        });
        setHandler(toFrames, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!isClosed(fromSession) && !hasBeenPulled(fromSession)) {
              pull(fromSession);
            }
          }
        });
      }

      @Override
      public void preStart() {
        pull(fromFrames);
      }

      private void read(FrameHandler.MessageDataPart part) {
        if (message == null) {
          message = BoundedBytes.empty(maxMessageBytes);
          text = part instanceof FrameHandler.TextMessagePart;
        }
        if (part instanceof FrameHandler.BinaryMessagePart binary) {
          message = message.append(binary.data());
        }
      }

      private void messageEnded() {
        InboundMessage ended = message == null ? null : text ? new InboundMessage.Text()
            : message.exceedsLimit() ? new InboundMessage.Oversized(message.kept(), message.total())
            : new InboundMessage.Binary(message.kept());
        message = null;
        if (ended != null && !isClosed(toSession)) {
          emit(toSession, ended, pullFrames::run);
        } else {
          pullFrames.run();
        }
      }

      private void peerClosed(FrameHandler.PeerClosed closed) {
        if (isErrorCode(closed.code())) {
          fail(toSession, new PeerClosedConnectionException((Integer) closed.code().get(), closed.reason()));
        } else if (message != null) {
          fail(toSession,
              new ProtocolException("Truncated message, peer closed connection in the middle of message."));
        } else {
          complete(toSession);
        }
      }

      private void closingWith(FrameHandler.ActivelyCloseWithCode close) {
        fail(toSession, isErrorCode(close.code())
            ? new ProtocolException("Closing connection with error code " + close.code().get())
            : new IllegalStateException("Regular close from FrameHandler is unexpected"));
      }

      private void sessionEnded(FrameHandler.BypassEvent end) {
        startClosing();
        emit(toFrames, end, () -> {
          sessionEnded = true;
          completeWhenBothEnded();
        });
      }

      private void completeWhenBothEnded() {
        if (framesEnded && sessionEnded) {
          complete(toFrames);
        }
      }

      private void startClosing() {
        if (!isTimerActive(TICK)) {
          scheduleWithFixedDelay(TICK, closeTimeout, closeTimeout);
        }
      }

      @Override
      public void onTimer(Object key) {
        // Only when the frame handler waits for an element: a tick behind others would be read late anyway.
        if (isAvailable(toFrames)) {
          push(toFrames, WebSocket.Tick$.MODULE$);
        }
      }
    };
  }

  /** A close code Pekko HTTP treats as an error (anything but a normal close or going away). */
  private static boolean isErrorCode(Option<Object> code) {
    return code.isDefined() && Protocol.CloseCodes$.MODULE$.isError((Integer) code.get());
  }
}
