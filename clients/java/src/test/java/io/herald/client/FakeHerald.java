package io.herald.client;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted WebSocket server on 127.0.0.1 speaking Herald's frames, for testing the client's retry, restart and
 * resume behaviour without a node. Just enough of RFC 6455 for the JDK client: handshake, binary and close frames.
 */
final class FakeHerald implements AutoCloseable {

  /** Decides the answers to one frame; {@code connection} counts from 1. */
  interface Script {
    List<ServerFrame> answer(int connection, ClientFrame frame, Connection to);
  }

  /** One accepted connection. */
  static final class Connection {
    private final Socket socket;

    Connection(Socket socket) {
      this.socket = socket;
    }

    synchronized void send(ServerFrame frame) throws IOException {
      byte[] payload = frame.toByteArray();
      OutputStream out = socket.getOutputStream();
      out.write(0x82);
      if (payload.length < 126) {
        out.write(payload.length);
      } else {
        out.write(126);
        out.write(payload.length >>> 8);
        out.write(payload.length & 0xff);
      }
      out.write(payload);
      out.flush();
    }

    /** Drops the TCP connection without a close frame, like a crash. */
    void drop() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  /** A frame as the server received it. */
  record Received(int connection, ClientFrame frame, long atNanos) {}

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;
  private final Script script;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  FakeHerald(Script script) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.script = script;
    this.acceptor = new Thread(this::acceptLoop, "fake-herald");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI url() {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1/ws");
  }

  List<Received> received() {
    return received;
  }

  List<ClientFrame> receivedOfKind(ClientFrame.BodyCase kind) {
    return received.stream().map(Received::frame).filter(f -> f.getBodyCase() == kind).toList();
  }

  int connectionCount() {
    return connections.size();
  }

  @Override
  public void close() throws IOException {
    server.close();
    connections.forEach(Connection::drop);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        var connection = new Connection(socket);
        connections.add(connection);
        int number = connections.size();
        var reader = new Thread(() -> serve(number, connection), "fake-herald-" + number);
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(int number, Connection connection) {
    try {
      var in = new DataInputStream(connection.socket.getInputStream());
      handshake(in, connection.socket.getOutputStream());
      var message = new ByteArrayOutputStream();
      while (true) {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((second & 0x80) != 0) {
          in.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        int opcode = first & 0x0f;
        if (opcode == 0x8) {
          connection.drop();
          return;
        }
        if (opcode == 0x2 || opcode == 0x0) {
          message.writeBytes(payload);
          if ((first & 0x80) != 0) {
            var frame = ClientFrame.parseFrom(message.toByteArray());
            message.reset();
            received.add(new Received(number, frame, System.nanoTime()));
            for (ServerFrame answer : script.answer(number, frame, connection)) {
              connection.send(answer);
            }
          }
        }
      }
    } catch (IOException e) {
      connection.drop();
    }
  }

  private static void handshake(DataInputStream in, OutputStream out) throws IOException {
    var lines = new ArrayList<String>();
    var line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed during the handshake");
      }
      if (c == '\n') {
        String text = line.toString().strip();
        if (text.isEmpty()) {
          break;
        }
        lines.add(text);
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
    String key = lines.stream().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
        .orElseThrow(() -> new IOException("no Sec-WebSocket-Key"));
    String accept;
    try {
      accept = Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
