package io.herald.gateway;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.typesafe.config.Config;
import io.herald.gateway.admission.Admission;
import io.herald.gateway.admission.AdmissionSettings;
import io.herald.gateway.auth.AuthSettings;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.coap.CoapIngress;
import io.herald.gateway.coap.CoapSettings;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.downlink.UserEntities;
import io.herald.gateway.ingress.BreakerSettings;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.gateway.ingress.KafkaBreaker;
import io.herald.gateway.ingress.KafkaProducerSettings;
import io.herald.gateway.intake.Intake;
import io.herald.gateway.rest.EntityQueries;
import io.herald.gateway.rest.RestEndpoint;
import io.herald.gateway.rest.RestSettings;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.gateway.validation.Ownership;
import io.herald.gateway.websocket.WebSocketEndpoint;
import io.herald.gateway.websocket.WebSocketSettings;
import io.herald.signals.tracing.Tracing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * The gateway of one node: the WebSocket endpoint {@code ws://HOST:PORT/v1/ws}, the CoAP endpoint {@code
 * coap://HOST:PORT/v1/messages}, and the Kafka producer behind them.
 * Works on any ActorSystem, clustered or not.
 *
 * <p>Shutdown is tied to the system's CoordinatedShutdown: the port is unbound in {@code service-unbind}, open
 * connections get {@code herald.gateway.http.termination-deadline} to finish in {@code service-requests-done}, and
 * the producer sends what it has buffered and closes in {@code service-stop}. {@link #close()} runs the same steps
 * (each step runs once, whichever asks first).
 */
public final class Gateway {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  // Pekko HTTP's own idle timer (bytes either way) must not cut a session before the session's idle timeout (incoming
  // messages) closes it with a proper close frame.
  private static final Duration SERVER_IDLE_MARGIN = Duration.ofSeconds(5);

  private final CompletionStage<ServerBinding> binding;
  private final IngressProducer producer;
  private final Optional<CoapIngress> coap;
  private final Cancellable bucketSweep;
  private final Duration terminationDeadline;
  private final Executor dispatcher;
  private final Once unbind;
  private final Once terminateConnections;
  private final Once closeProducer;

  private Gateway(
      CompletionStage<ServerBinding> binding,
      IngressProducer producer,
      Optional<CoapIngress> coap,
      Cancellable bucketSweep,
      Duration terminationDeadline,
      Executor dispatcher) {
    this.binding = binding;
    this.producer = producer;
    this.coap = coap;
    this.bucketSweep = bucketSweep;
    this.terminationDeadline = terminationDeadline;
    this.dispatcher = dispatcher;
    this.unbind = new Once("unbinding", dispatcher);
    this.terminateConnections = new Once("closing connections", dispatcher);
    this.closeProducer = new Once("closing the Kafka producer", dispatcher);
  }

  /**
   * Creates the Kafka producer, binds {@code herald.gateway.http.interface}:{@code port} and registers the shutdown
   * steps with the system's CoordinatedShutdown.
   *
   * @param config the node's whole configuration (usually {@code system.settings().config()})
   * @throws com.typesafe.config.ConfigException when a setting is missing or invalid, in particular when
   *     {@code herald.auth.jwt-secret} is empty (and no JWKS URL is configured) or shorter than 32 bytes; nothing has
   *     been started then
   */
  public static Gateway start(ActorSystem<?> system, Config config) {
    return start(system, config, List.of());
  }

  /**
   * Reads another module serves on the gateway's HTTP port (chat search), each given the gateway's authentication of
   * REST reads: the bearer token verified (401 otherwise) and the user's read rate taken (429 past it).
   */
  public interface UserReads {
    /** @param authenticated runs its argument with the token's user id */
    Route route(Function<Function<String, Route>, Route> authenticated);
  }

  /** As {@link #start(ActorSystem, Config)}, serving these reads too. */
  public static Gateway start(ActorSystem<?> system, Config config, List<UserReads> moreReads) {
    // Refuse a bad configuration before looking for Cluster Sharding.
    GatewaySettings.from(config);
    AuthSettings.from(config);
    return start(system, config, UserEntities.forSystem(system), EntityQueries.forSystem(system,
        config.getDuration("herald.gateway.entities.ask-timeout")), moreReads);
  }

  /**
   * As {@link #start(ActorSystem, Config)}, with the ways to reach entities given (the seams to Cluster Sharding:
   * {@link UserEntities#forSystem} and {@link EntityQueries#forSystem} pick sharding on a cluster node and nothing
   * otherwise).
   */
  public static Gateway start(ActorSystem<?> system, Config config, UserEntities userEntities, EntityQueries entities) {
    return start(system, config, userEntities, entities, List.of());
  }

  private static Gateway start(ActorSystem<?> system, Config config, UserEntities userEntities, EntityQueries entities,
      List<UserReads> moreReads) {
    GatewaySettings settings = GatewaySettings.from(config);
    AuthSettings authSettings = AuthSettings.from(config);
    WebSocketSettings webSocket = WebSocketSettings.from(config);
    FrameDecoder decoder = new FrameDecoder(FrameLimits.from(config));
    KafkaProducerSettings producerSettings = KafkaProducerSettings.from(config);
    BreakerSettings breakerSettings = BreakerSettings.from(config);
    AdmissionSettings admissionSettings = AdmissionSettings.from(config);
    CoapSettings coapSettings = CoapSettings.from(config);
    // Every setting is read above: a bad one throws before anything is started.
    TokenVerifier verifier = TokenVerifier.start(authSettings, system);

    Executor sendExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(producerSettings.sendDispatcher()));
    // Runs every continuation of a future the gateway waits on. Never the JDK's default executor: with fewer than 3
    // CPUs that starts a thread per task, and Pekko's stages use it even for thenApply (docs/performance.md).
    Executor dispatcher = system.executionContext();
    KafkaBreaker breaker = new KafkaBreaker(breakerSettings, system.classicSystem().scheduler(), dispatcher);
    GatewayMetrics.breakerState(() -> switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    });
    IngressProducer producer =
        new IngressProducer(producerSettings, settings.ingressTopic(), sendExecutor, breaker, Tracing.get(system));
    Admission admission = new Admission(admissionSettings, System::nanoTime);
    Ownership ownership = new Ownership(entities, webSocket.retryAfter(), dispatcher);
    Downlink downlink = new Downlink(system, userEntities,
        config.getDuration("herald.gateway.downlink.reattach-interval"));
    Intake intake = new Intake(decoder, Degradation.get(system), admission, ownership, producer,
        webSocket.maxFrameBytes(), webSocket.retryAfter(), dispatcher, Clock.systemUTC());
    WebSocketEndpoint endpoint =
        new WebSocketEndpoint(verifier, webSocket, intake, downlink, system, dispatcher, Clock.systemUTC());
    RestEndpoint rest = new RestEndpoint(verifier, entities, RestSettings.fromConfig(config.getConfig("herald.gateway")),
        dispatcher);
    Duration sweep = admission.settings().bucketSweepInterval();
    Cancellable bucketSweep =
        system.scheduler().scheduleAtFixedRate(sweep, sweep, () -> {
          admission.forgetFullBuckets();
          rest.forgetFullBuckets();
        }, system.executionContext());

    ServerBuilder plain = Http.get(system).newServerAt(settings.httpInterface(), settings.httpPort());
    ServerBuilder builder =
        settings.tls().map(tls -> plain.enableHttps(ConnectionContext.httpsServer(tls))).orElse(plain);
    String scheme = settings.tls().isPresent() ? "wss" : "ws";
    CompletionStage<ServerBinding> binding =
        builder
            .adaptSettings(server -> idleTimeoutAtLeast(server, webSocket.idleTimeout().plus(SERVER_IDLE_MARGIN)))
            .bind(concat(endpoint.route(), Stream.concat(Stream.of(rest.route()),
                    moreReads.stream().map(reads -> reads.route(rest::authenticatedUser)))
                .toArray(Route[]::new)));
    Optional<CoapIngress> coap;
    try {
      coap =
          coapSettings.enabled()
              ? Optional.of(
                  CoapIngress.start(coapSettings, webSocket.maxFrameBytes(), verifier, intake, downlink,
                      webSocket.pushBuffer(), Materializer.matFromSystem(system), dispatcher))
              : Optional.empty();
    } catch (RuntimeException e) {
      // e.g. the UDP port is taken: nothing of this gateway may keep running.
      binding.thenComposeAsync(ServerBinding::unbind, dispatcher);
      bucketSweep.cancel();
      producer.close();
      throw e;
    }
    Gateway gateway = new Gateway(binding, producer, coap, bucketSweep, settings.terminationDeadline(), dispatcher);

    binding.whenCompleteAsync(
        (bound, failure) -> {
          if (failure == null) {
            log.info(
                "Gateway listening on {}://{}:{}/v1/ws",
                scheme,
                bound.localAddress().getHostString(),
                bound.localAddress().getPort());
          } else {
            log.error("Gateway could not bind {}:{}", settings.httpInterface(), settings.httpPort(), failure);
            gateway.close();
          }
        },
        dispatcher);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "herald-gateway-unbind", gateway::unbind);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "herald-gateway-terminate-connections",
        gateway::terminateConnections);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceStop(), "herald-gateway-close-producer", gateway::closeProducer);
    producer.warmUp();
    return gateway;
  }

  /** Completes with the bound address (port 0 in the config gives a free port: read it here), or the bind failure. */
  public CompletionStage<ServerBinding> binding() {
    return binding;
  }

  /** Stops taking connections, closes open ones (after the termination deadline) and closes the producer. */
  public CompletionStage<Done> close() {
    return unbind()
        .thenComposeAsync(done -> terminateConnections(), dispatcher)
        .thenComposeAsync(done -> closeProducer(), dispatcher);
  }

  /** The bound CoAP UDP port, when CoAP is enabled ({@code herald.gateway.coap.enabled}). */
  public Optional<Integer> coapPort() {
    return coap.map(CoapIngress::port);
  }

  /** The bound coaps (DTLS) UDP port, when enabled ({@code herald.gateway.coap.dtls.enabled}). */
  public Optional<Integer> coapsPort() {
    return coap.flatMap(CoapIngress::securePort);
  }

  private CompletionStage<Done> unbind() {
    return unbind.run(
        () -> {
          // CoAP has no connections to drain: a request still waiting for Kafka gets no answer and is resent.
          coap.ifPresent(CoapIngress::stop);
          return whenBound(ServerBinding::unbind);
        });
  }

  private CompletionStage<Done> terminateConnections() {
    return terminateConnections.run(() -> whenBound(bound -> bound.terminate(terminationDeadline)));
  }

  private CompletionStage<Done> closeProducer() {
    return closeProducer.run(
        () -> {
          bucketSweep.cancel();
          return producer.close();
        });
  }

  // Nothing to unbind or terminate when binding failed (that failure has been logged already).
  private CompletionStage<Done> whenBound(Function<ServerBinding, CompletionStage<?>> action) {
    return binding.handleAsync(
            (bound, bindFailure) ->
                bindFailure != null
                    ? CompletableFuture.completedStage(Done.getInstance())
                    : action.apply(bound).thenApplyAsync(result -> Done.getInstance(), dispatcher),
            dispatcher)
        // Synchronous: the handleAsync stage above is a plain future completed on the dispatcher.
        .thenCompose(Function.identity());
  }

  private static ServerSettings idleTimeoutAtLeast(ServerSettings server, Duration minimum) {
    scala.concurrent.duration.Duration current = server.getTimeouts().idleTimeout();
    if (!current.isFinite() || current.toMillis() >= minimum.toMillis()) {
      return server;
    }
    return server.withTimeouts(
        server.getTimeouts().withIdleTimeout(FiniteDuration.create(minimum.toMillis(), TimeUnit.MILLISECONDS)));
  }

  /**
   * A shutdown step that runs once, however many times (and from however many threads) it is asked for. Shutdown goes
   * on after a failed step: nothing more can be done about it than saying so.
   */
  private static final class Once {
    private final String name;
    private final Executor dispatcher;
    private final AtomicReference<CompletableFuture<Done>> result = new AtomicReference<>();

    Once(String name, Executor dispatcher) {
      this.name = name;
      this.dispatcher = dispatcher;
    }

    CompletionStage<Done> run(Supplier<CompletionStage<?>> step) {
      CompletableFuture<Done> mine = new CompletableFuture<>();
      if (!result.compareAndSet(null, mine)) {
        return result.get();
      }
      CompletionStage<?> running;
      try {
        running = step.get();
      } catch (RuntimeException e) {
        running = CompletableFuture.failedStage(e);
      }
      running.whenCompleteAsync(
          (done, failure) -> {
            if (failure != null) {
              log.warn("Gateway shutdown: {} failed: {}", name, failure.toString());
            }
            mine.complete(Done.getInstance());
          },
          dispatcher);
      return mine;
    }
  }
}
