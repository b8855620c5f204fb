package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A device's side of {@code /v1/ws}, on the JDK's WebSocket client: what an outside client would do. The one WebSocket
 * test client of the gateway's and the node's tests (deploy/node takes it from the gateway's test jar).
 */
public final class WebSocketTestClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  public static final Duration REPLY_TIMEOUT = Duration.ofSeconds(15);

  private final WebSocket webSocket;
  private final Listener listener;

  private WebSocketTestClient(WebSocket webSocket, Listener listener) {
    this.webSocket = webSocket;
    this.listener = listener;
  }

  public static URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/v1/ws");
  }

  /** Connects with the token in the Authorization header. */
  public static WebSocketTestClient connect(int port, String token) {
    return connect(uri(port), Map.of("Authorization", "Bearer " + token)).join();
  }

  /** Completes with the client, or fails with the handshake's failure (e.g. a WebSocketHandshakeException). */
  public static CompletableFuture<WebSocketTestClient> connect(URI uri, Map<String, String> headers) {
    return connect(HTTP, uri, headers);
  }

  /** As {@link #connect(URI, Map)} on the given client (e.g. one that trusts a test's TLS certificate). */
  public static CompletableFuture<WebSocketTestClient> connect(HttpClient http, URI uri, Map<String, String> headers) {
    Listener listener = new Listener();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    return builder.buildAsync(uri, listener).thenApply(webSocket -> new WebSocketTestClient(webSocket, listener));
  }

  public void send(ClientFrame frame) {
    sendBytes(frame.toByteArray());
  }

  public void sendBytes(byte[] bytes) {
    webSocket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** One message sent as many WebSocket fragments, as clients streaming large payloads do. */
  public void sendFragmented(byte[] bytes, int fragmentSize) {
    for (int offset = 0; offset < bytes.length; offset += fragmentSize) {
      int length = Math.min(fragmentSize, bytes.length - offset);
      webSocket.sendBinary(ByteBuffer.wrap(bytes, offset, length), offset + length == bytes.length).join();
    }
  }

  public void sendText(String text) {
    webSocket.sendText(text, true).join();
  }

  /** Sends a ping; completes with the data of the next pong. */
  public CompletableFuture<ByteBuffer> ping(byte[] data) {
    CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
    listener.pong = pong;
    webSocket.sendPing(ByteBuffer.wrap(data)).join();
    return pong;
  }

  /** Starts the close handshake with {@code statusCode}; {@link #closedByServer()} completes with the answer. */
  public void sendClose(int statusCode, String reason) {
    webSocket.sendClose(statusCode, reason).join();
  }

  /** The next reply; fails the test when none comes within {@link #REPLY_TIMEOUT}. */
  public ServerFrame next() {
    return next(REPLY_TIMEOUT);
  }

  /** The next reply; fails the test when none comes within {@code within}. */
  public ServerFrame next(Duration within) {
    try {
      ServerFrame frame = listener.frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(frame, "no reply within " + within);
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Stops reading after the message being read: a client that does not keep up. The server's writes then fill the
   * socket buffers and its own bounded buffers.
   */
  public void pauseReading() {
    listener.paused = true;
  }

  /** Reads again. */
  public void resumeReading() {
    synchronized (listener) {
      listener.paused = false;
      if (listener.withheld) {
        listener.withheld = false;
        webSocket.request(1);
      }
    }
  }

  /** Sends a frame and returns the next frame the server sends (for tests that send one frame at a time). */
  public ServerFrame request(ClientFrame.Builder frame) {
    return request(frame.build());
  }

  public ServerFrame request(ClientFrame frame) {
    send(frame);
    return next(Duration.ofSeconds(30));
  }

  /** The next frame the server sends, or null if none comes within {@code timeout}. */
  public ServerFrame receive(Duration timeout) throws InterruptedException {
    return listener.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next reply if one has arrived, else null (does not wait). */
  public ServerFrame poll() {
    return listener.frames.poll();
  }

  /** Completes with the close status code the server sent. */
  public CompletableFuture<Integer> closedByServer() {
    return listener.closed;
  }

  @Override
  public void close() {
    if (!webSocket.isOutputClosed()) {
      webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(failure -> null);
    }
    webSocket.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    private final BlockingQueue<ServerFrame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile boolean paused;
    private volatile CompletableFuture<ByteBuffer> pong;
    private boolean withheld;

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        try {
          frames.add(ServerFrame.parseFrom(partial.toByteArray()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          closed.completeExceptionally(e);
        }
        partial.reset();
      }
      synchronized (this) {
        if (paused) {
          withheld = true;
          return null;
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      closed.completeExceptionally(new AssertionError("the server sent text: " + data));
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      CompletableFuture<ByteBuffer> waiting = pong;
      if (waiting != null) {
        waiting.complete(ByteBuffer.allocate(message.remaining()).put(message).flip());
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
