package io.herald.persistence.fence;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Asks the {@link WriterFence} before bytes go to a Cassandra connection's socket. Refused, the connection is aborted
 * ({@link FencedConnections#abort}): whatever it still held, in Netty or in the kernel, fails instead of being sent.
 */
final class FenceOnFlush extends ChannelOutboundHandlerAdapter {

  static final String NAME = "herald-writer-fence";

  private final WriterFence fence;

  FenceOnFlush(WriterFence fence) {
    this.fence = fence;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!fence.permits()) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(fence.refusal("Cassandra request"));
      FencedConnections.abort(ctx.channel());
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!fence.permits()) {
      FencedConnections.abort(ctx.channel());
      return;
    }
    ctx.flush();
  }
}
