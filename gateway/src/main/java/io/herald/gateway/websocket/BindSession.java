package io.herald.gateway.websocket;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The one stage of the shared {@link SessionFlow} that knows which session it runs for: it pairs each message with
 * its session. Its materialized value is where the connection puts the session, when it materializes the flow and so
 * before any message arrives (the materialized value is computed before the stream's stages run).
 */
final class BindSession
    extends AbstractGraphStageWithMaterializedValue<
        FlowShape<InboundMessage, BindSession.Arrival>, AtomicReference<WebSocketSession>> {

  /** A message of the client and the session it came on. */
  record Arrival(WebSocketSession session, InboundMessage message) {}

  private final Inlet<InboundMessage> in = Inlet.create("BindSession.in");
  private final Outlet<Arrival> out = Outlet.create("BindSession.out");
  private final FlowShape<InboundMessage, Arrival> shape = FlowShape.of(in, out);

  @Override
  public FlowShape<InboundMessage, Arrival> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, AtomicReference<WebSocketSession>> createLogicAndMaterializedValuePair(
      Attributes inheritedAttributes) {
    AtomicReference<WebSocketSession> session = new AtomicReference<>();
    GraphStageLogic logic = new GraphStageLogic(shape) {
      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(out, new Arrival(session.get(), grab(in)));
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
    return Pair.create(logic, session);
  }
}
