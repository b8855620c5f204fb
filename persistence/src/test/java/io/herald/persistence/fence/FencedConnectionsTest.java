package io.herald.persistence.fence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fenced node's Cassandra connections are reset, so that bytes the kernel still holds for them (a request written
 * just before a network cut, retransmitted when it heals) never reach the server. The server here stops reading, as
 * a cut-off Cassandra would look from the client: requests pile up in the kernel's buffers.
 */
class FencedConnectionsTest {

  private final NioEventLoopGroup group = new NioEventLoopGroup(1);
  private final WriterFence fence = new WriterFence(Duration.ofHours(1), System::nanoTime);

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void fencingResetsAnIdleConnectionWhoseRequestsAreStillInTheKernel() throws Exception {
    var connections = new FencedConnections(fence);
    try (var server = new ServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      var client = connect(server, connections);
      try (Socket accepted = server.accept()) {
        fillTheKernelsBuffers(client);

        fence.fence("test: this node was downed");

        assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "closed at once, with nothing more to write");
        assertThrows(SocketException.class, () -> drain(accepted),
            "the server sees a reset, not the queued requests followed by an orderly end");
      }
    }
  }

  @Test
  void aWriteOnAFencedConnectionResetsIt() throws Exception {
    try (var server = new ServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      var client = connect(server, null);
      try (Socket accepted = server.accept()) {
        fillTheKernelsBuffers(client);
        fence.fence("test: paused past max-pause");

        var refused = client.writeAndFlush(Unpooled.wrappedBuffer(new byte[16]));
        assertTrue(refused.await(5, TimeUnit.SECONDS));
        assertFalse(refused.isSuccess(), "the request is refused");
        assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS));
        assertThrows(SocketException.class, () -> drain(accepted));
      }
    }
  }

  private Channel connect(ServerSocket server, FencedConnections connections) throws InterruptedException {
    var channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.SO_SNDBUF, 4096)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addFirst(FenceOnFlush.NAME, new FenceOnFlush(fence));
          }
        })
        .connect(server.getLocalSocketAddress()).sync().channel();
    if (connections != null) {
      connections.add(channel);
    }
    return channel;
  }

  /** Writes until the socket takes no more: the server does not read, so the kernel's buffers on both sides fill. */
  private static void fillTheKernelsBuffers(Channel client) throws InterruptedException {
    var chunk = new byte[8192];
    for (int i = 0; i < 1024 && client.isWritable(); i++) {
      client.writeAndFlush(Unpooled.wrappedBuffer(chunk));
    }
    var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.isWritable() && System.nanoTime() < deadline) {
      client.writeAndFlush(Unpooled.wrappedBuffer(chunk)).await(10, TimeUnit.MILLISECONDS);
    }
    assertFalse(client.isWritable(), "the kernel holds requests the server has not read");
    // Every write the test queued has met the fence's check before the fence closes: nothing more to write or flush.
    client.eventLoop().submit(() -> { }).sync();
  }

  /** Reads to the end; an orderly end returns, a reset throws. */
  private static void drain(Socket accepted) throws IOException {
    accepted.setSoTimeout(10_000);
    var in = accepted.getInputStream();
    var buffer = new byte[65536];
    while (in.read(buffer) >= 0) {
      // what the kernel delivered before the end
    }
  }
}
