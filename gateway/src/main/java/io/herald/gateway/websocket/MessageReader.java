package io.herald.gateway.websocket;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads a WebSocket message to its end within the size limit. Pekko HTTP hands large or fragmented messages over as
 * a stream of chunks; that stream must always be consumed to the end (the next message only comes after it), so
 * oversized and text messages are drained, not kept.
 */
final class MessageReader {

  /**
   * Stands for "no message within the idle timeout" in the stream of a connection's messages (the session's flow
   * puts it there in place of the timeout's failure); read as {@link InboundMessage.Idle}. Compared by identity.
   */
  static final Message IDLE = TextMessage.create("idle");

  private final int maxFrameBytes;
  private final Materializer materializer;
  private final Executor dispatcher;

  MessageReader(int maxFrameBytes, Materializer materializer, Executor dispatcher) {
    this.maxFrameBytes = maxFrameBytes;
    this.materializer = materializer;
    this.dispatcher = dispatcher;
  }

  CompletionStage<InboundMessage> read(Message message) {
    if (message == IDLE) {
      return CompletableFuture.completedFuture(new InboundMessage.Idle());
    }
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        return CompletableFuture.completedFuture(new InboundMessage.Text());
      }
      return text.getStreamedText()
          .runWith(Sink.ignore(), materializer)
          .thenApplyAsync(done -> new InboundMessage.Text(), dispatcher);
    }
    BinaryMessage binary = message.asBinaryMessage();
    if (binary.isStrict()) {
      return CompletableFuture.completedFuture(
          classify(BoundedBytes.empty(maxFrameBytes).append(binary.getStrictData())));
    }
    return binary.getStreamedData()
        .runWith(Sink.fold(BoundedBytes.empty(maxFrameBytes), BoundedBytes::append), materializer)
        .thenApplyAsync(MessageReader::classify, dispatcher);
  }

  private static InboundMessage classify(BoundedBytes bytes) {
    return bytes.exceedsLimit()
        ? new InboundMessage.Oversized(bytes.kept(), bytes.total())
        : new InboundMessage.Binary(bytes.kept());
  }
}
