package io.herald.persistence.fence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.session.ProgrammaticArguments;
import com.datastax.oss.driver.internal.core.context.DefaultDriverContext;
import com.datastax.oss.driver.internal.core.context.DefaultNettyOptions;
import com.datastax.oss.driver.internal.core.context.NettyOptions;
import com.typesafe.config.Config;
import io.herald.persistence.PacedTagWrites;
import io.netty.channel.Channel;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Cassandra session of Pekko Persistence Cassandra (journal and snapshots), with the {@link WriterFence} as the
 * last step of every connection's outbound pipeline ({@link FenceOnFlush}), and failed tag writes paced ({@link
 * PacedTagWrites}).
 *
 * <p>Why there: the journal asks the fence before it hands a write to the driver, but a process stopped between that
 * check and the moment the driver's event loop writes the request to the socket sends the request when it wakes,
 * long after the cluster replaced it (seen in a `node-freeze` soak: five writes serialized at the instant of the
 * SIGSTOP, stored 30 s later, each at a sequence number the entity's new incarnation had already written). Checked at
 * the flush, on the event loop, the window left is the few instructions between that check and the system call;
 * what the kernel already holds when the process stops reaches Cassandra at once, before any replacement. What the
 * kernel holds because the network is cut would reach it when the cut heals: the fence aborts every connection at
 * once ({@link FencedConnections}), which drops it.
 */
public final class FencedSessionProvider implements CqlSessionProvider {

  private final ActorSystem system;
  private final Config config;

  /** Instantiated by Pekko Connectors Cassandra from {@code session-provider}, with the plugin's configuration. */
  public FencedSessionProvider(ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    var fence = WriterFence.get(Adapter.toTyped(system));
    var loader = DriverConfigLoaderFromConfig.fromConfig(CqlSessionProvider.driverConfig(system, config));
    return FutureConverters.asScala(new FencedSessionBuilder(fence, new FencedConnections(fence), system, config)
        .withConfigLoader(loader).buildAsync());
  }

  private static final class FencedSessionBuilder extends CqlSessionBuilder {
    private final WriterFence fence;
    private final FencedConnections connections;
    private final ActorSystem system;
    private final Config pluginConfig;

    FencedSessionBuilder(WriterFence fence, FencedConnections connections, ActorSystem system, Config pluginConfig) {
      this.fence = fence;
      this.connections = connections;
      this.system = system;
      this.pluginConfig = pluginConfig;
    }

    @Override
    protected CqlSession wrap(CqlSession defaultSession) {
      return PacedTagWrites.wrap(defaultSession, system, pluginConfig);
    }

    @Override
    protected DriverContext buildContext(DriverConfigLoader loader, ProgrammaticArguments arguments) {
      return new DefaultDriverContext(loader, arguments) {
        @Override
        protected NettyOptions buildNettyOptions() {
          return new DefaultNettyOptions(this) {
            @Override
            public void afterChannelInitialized(Channel channel) {
              super.afterChannelInitialized(channel);
              // First in the pipeline: outbound events pass it last, right before the socket.
              channel.pipeline().addFirst(FenceOnFlush.NAME, new FenceOnFlush(fence));
              connections.add(channel);
            }
          };
        }
      };
    }
  }
}
