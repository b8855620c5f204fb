package io.herald.node.warmup;

import com.typesafe.config.Config;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's warm-up: before its /ready says yes, a gateway node sends frames through its own endpoint for
 * {@code herald.node.warm-up.duration}, so the first devices after /ready do not pay for class loading, the
 * interpreter, cold connection pools, Kafka metadata and shard allocation (issue 13's warm start; docs/performance.md).
 * The traffic is that of ordinary devices of reserved users ({@code herald-warm-up-N}), through Kafka, the entities
 * and Cassandra; what it leaves in the journal is bounded like any user's (docs/operations.md, "Warm-up").
 */
public final class WarmUp implements Extension {

  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

  public static final Id ID = new Id();

  private static final int MAX_BURST_FRAMES = 1_000;

  private final CompletableFuture<WarmUpReport> done = new CompletableFuture<>();
  private volatile WarmUpTraffic running;

  private WarmUp() {}

  public static WarmUp get(ActorSystem system) {
    return ID.get(system);
  }

  /** True once the warm-up ran (completely or up to its give-up bound), or was not wanted. */
  public boolean finished() {
    return done.isDone();
  }

  public CompletionStage<WarmUpReport> report() {
    return done;
  }

  /** How far the warm-up has got: its report so far while it runs, its final report after. */
  public WarmUpReport progress() {
    var traffic = running;
    return done.getNow(traffic != null ? traffic.progress() : WarmUpReport.skipped());
  }

  /** This node takes no device traffic (no gateway role) or was configured without a warm-up. */
  public void skip() {
    done.complete(WarmUpReport.skipped());
  }

  /**
   * Starts the warm-up traffic against the node's own gateway on {@code httpPort}, on threads of its own that end
   * with it (the node's dispatchers are the ones being warmed; a blocking pacer does not belong on them).
   * {@code nodeAddress} names this node's warm-up devices apart from other nodes'.
   */
  public void start(Config config, int httpPort, String nodeAddress) {
    var settings = WarmUpSettings.from(config);
    if (!settings.enabled()) {
      skip();
      return;
    }
    // The warm-up's devices sign their own tokens with the HS256 secret and connect with plain ws:// and http://.
    if (config.getString("herald.auth.jwt-secret").isBlank() || config.getBoolean("herald.gateway.http.tls.enabled")) {
      log.info("Warm-up skipped: it needs herald.auth.jwt-secret and herald.gateway.http.tls.enabled = false");
      skip();
      return;
    }
    String host = config.getString("herald.gateway.http.interface");
    var threads = new AtomicInteger();
    ExecutorService io = Executors.newFixedThreadPool(3, task -> {
      var thread = new Thread(task, "herald-warm-up-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    var traffic = new WarmUpTraffic(settings, host.equals("0.0.0.0") ? "127.0.0.1" : host, httpPort,
        config.getString("herald.auth.jwt-secret"), config.getInt("herald.kafka.topics.ingress-partitions"),
        Integer.toHexString(nodeAddress.hashCode()),
        // Past the device's burst allowance, but never a flood: a node configured with a huge allowance gets no
        // RETRY_LATER from this burst (the invalid frame still runs a refusal).
        Math.min(config.getInt("herald.gateway.limits.device-burst") + 100, MAX_BURST_FRAMES), io);
    running = traffic;
    log.info("Warm-up: {} of traffic through this node's own gateway before it says ready", settings.duration());
    io.execute(() -> {
      WarmUpReport report = traffic.run();
      if (report.completed()) {
        log.info("Warm-up {}", report);
      } else {
        log.warn("Warm-up {}; the node says ready all the same", report);
      }
      done.complete(report);
      io.shutdown();
    });
  }

  public static final class Id extends AbstractExtensionId<WarmUp> implements ExtensionIdProvider {
    @Override
    public WarmUp createExtension(ExtendedActorSystem system) {
      return new WarmUp();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
