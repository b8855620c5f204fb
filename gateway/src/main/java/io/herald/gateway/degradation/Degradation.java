package io.herald.gateway.degradation;

import io.herald.gateway.ServerFrames;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.ServerFrame;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's degradation switch, one per ActorSystem. On a cluster node the mode is replicated to every node with
 * Distributed Data ({@link ReplicatedMode}), so switching on one node's operator port switches every gateway (within
 * about a second); on a plain ActorSystem it is this node's alone. Every frame consults {@link #refusal} — a read of
 * a volatile reference — so a switch costs nothing while it is off. Each switch is logged at WARN with its reason and
 * shown as {@code herald_gateway_degradation_mode{mode}} (1 for the mode in force).
 */
public final class Degradation implements Extension {

  private static final Logger log = LoggerFactory.getLogger(Degradation.class);
  private static final Duration SET_TIMEOUT = Duration.ofSeconds(5);
  // What /metrics shows: the mode most recently in force in this JVM (a node is one JVM; tests run several).
  private static final AtomicReference<DegradationMode> shown = new AtomicReference<>(DegradationMode.NORMAL);

  static {
    for (var mode : DegradationMode.values()) {
      Gauge.builder("herald.gateway.degradation.mode", shown, in -> in.get() == mode ? 1 : 0)
          .description("1 for the degradation mode in force").tag("mode", mode.wireName())
          .register(Metrics.globalRegistry);
    }
  }

  private final ActorSystem<?> system;
  private final AtomicReference<DegradationMode> current = new AtomicReference<>(DegradationMode.NORMAL);
  private final Optional<ActorRef<ReplicatedMode.Command>> replicated;

  private Degradation(ActorSystem<?> system) {
    this.system = system;
    var provider = system.settings().config().getString("pekko.actor.provider");
    this.replicated = provider.equals("cluster") || provider.equals("org.apache.pekko.cluster.ClusterActorRefProvider")
        ? Optional.of(system.systemActorOf(ReplicatedMode.create(this::inForce), "herald-degradation", Props.empty()))
        : Optional.empty();
  }

  private void inForce(DegradationMode mode) {
    current.set(mode);
    shown.set(mode);
  }

  public static Degradation get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public DegradationMode current() {
    return current.get();
  }

  /** Switches every gateway of the cluster; completes with the mode in force on this node. */
  public CompletionStage<DegradationMode> set(DegradationMode mode, String reason) {
    var before = current.get();
    inForce(mode);
    log.warn("Degradation switched from {} to {}: {}", before.wireName(), mode.wireName(), reason);
    return replicated
        .map(actor -> AskPattern.<ReplicatedMode.Command, DegradationMode>ask(actor,
            replyTo -> new ReplicatedMode.Set(mode, replyTo), SET_TIMEOUT, system.scheduler()))
        .orElseGet(() -> CompletableFuture.completedFuture(mode));
  }

  /** Empty when the frame may go on to Kafka, else the RETRY_LATER it gets in the mode in force. */
  public Optional<ServerFrame> refusal(ClientFrame frame, Duration retryAfter) {
    return switch (current.get()) {
      case NORMAL -> Optional.empty();
      case SHED_TELEMETRY -> frame.hasTelemetry() || frame.hasHeartbeat()
          ? Optional.of(ServerFrames.retryLater(frame.getMessageId(), retryAfter,
              "telemetry is shed for now (degradation shed-telemetry); chat and shadows go on"))
          : Optional.empty();
      case READ_ONLY -> Optional.of(ServerFrames.retryLater(frame.getMessageId(), retryAfter,
          "Herald is read-only for now (degradation read-only): writes are refused, reads are served"));
    };
  }

  private static final class Id extends ExtensionId<Degradation> {
    static final Id INSTANCE = new Id();

    @Override
    public Degradation createExtension(ActorSystem<?> system) {
      return new Degradation(system);
    }
  }
}
