package io.herald.node;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal device: the JDK's WebSocket client speaking Herald's binary frames. */
final class DeviceClient implements AutoCloseable {

  private final WebSocket socket;
  private final BlockingQueue<ServerFrame> received = new LinkedBlockingQueue<>();

  private DeviceClient(WebSocket socket) {
    this.socket = socket;
  }

  static DeviceClient connect(int port, String token) {
    var listener = new Listener();
    var socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws"), listener)
        .join();
    var client = new DeviceClient(socket);
    listener.client = client;
    return client;
  }

  /** Sends a frame and returns the next frame Herald sends (tests send one frame at a time). */
  ServerFrame request(ClientFrame.Builder frame) throws InterruptedException {
    return request(frame.build());
  }

  ServerFrame request(ClientFrame frame) throws InterruptedException {
    socket.sendBinary(ByteBuffer.wrap(frame.toByteArray()), true).join();
    var reply = received.poll(30, TimeUnit.SECONDS);
    if (reply == null) {
      throw new AssertionError("no reply to " + frame.getMessageId() + " within 30 s");
    }
    return reply;
  }

  /** Sends a frame without waiting for an answer. */
  void send(ClientFrame frame) {
    socket.sendBinary(ByteBuffer.wrap(frame.toByteArray()), true).join();
  }

  /** The next frame Herald sends, or null if none comes within the timeout. */
  ServerFrame receive(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }

  private static final class Listener implements WebSocket.Listener {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile DeviceClient client;

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      var bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        try {
          client.received.add(ServerFrame.parseFrom(partial.toByteArray()));
        } catch (Exception e) {
          throw new IllegalStateException("undecodable server frame", e);
        } finally {
          partial.reset();
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
