package io.herald.persistence.fence;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The open Cassandra connections of one session, aborted all at once when the node is fenced, whether or not they
 * have anything left to write.
 *
 * <p>Why aborted, and why at once: a request written to the socket just before a network partition stays in the
 * kernel's send queue, and TCP retransmits it when the partition heals, seconds after the cluster replaced this node
 * (seen in a {@code node-partition} chaos run: ten writes sent 0.3 s after the cut landed when it healed 11 s later, at
 * sequence numbers the devices' new incarnations had just written). A plain close keeps delivering that queue; an
 * abortive close (SO_LINGER 0) drops it and resets the connection, so nothing this node sent before its fence can reach
 * Cassandra after it. Waiting for the next write to close a connection (as {@link FenceOnFlush} does for the
 * connections that stay busy) would leave an idle connection's queue in the kernel.
 */
final class FencedConnections {

  private final ChannelGroup open = new DefaultChannelGroup("herald-cassandra-connections", GlobalEventExecutor.INSTANCE);

  FencedConnections(WriterFence fence) {
    fence.whenFenced(() -> open.forEach(FencedConnections::abort));
  }

  /** A new connection of the session: aborted with the others when the fence closes (closed ones leave by themselves). */
  void add(Channel connection) {
    open.add(connection);
  }

  /** Closes with a reset: what the connection and the kernel still hold for the socket is discarded, never sent. */
  static void abort(Channel connection) {
    if (connection.isOpen()) {
      connection.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    connection.close();
  }
}
