package io.herald.gateway.coap;

import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.degradation.DegradationMode;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.downlink.UserEntities;
import io.herald.gateway.ingress.BreakerSettings;
import io.herald.gateway.ingress.IngressProducer;
import io.herald.gateway.ingress.KafkaBreaker;
import io.herald.gateway.ingress.KafkaProducerSettings;
import io.herald.gateway.intake.Intake;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.signals.tracing.Tracing;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * The gateway's CoAP resources ({@code /v1/messages}, {@code /v1/inbox}) on a Californium endpoint in this JVM, as
 * CoapIngress configures it, with its UDP socket replaced by memory and its threads by the calling one: each datagram
 * is handled in full before {@link #exchange} returns, with what the endpoint sent back. The degradation mode is
 * read-only, so no frame goes on to Kafka (admission and ownership come after that check and are absent, the producer's
 * Kafka client is a mock);
 * sessions of the inbox get no pushes (no User entities).
 */
final class CoapInMemory implements AutoCloseable {

  private final ActorTestKit testKit = ActorTestKit.create();
  private final MemoryConnector connector = new MemoryConnector();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final IngressProducer producer;
  private final InboxResource inbox;
  private final CoapServer server;

  CoapInMemory(String secret, int maxFrameBytes, int maxIdLength) {
    CoapConfig.register();
    UdpConfig.register();
    Configuration configuration = Configuration.createStandardWithoutFile();
    configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxFrameBytes + 1024);
    configuration.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_MARK_AND_SWEEP);
    // Exchanges and block-wise transfers forgotten within seconds, not minutes: a long fuzz run sends millions.
    configuration.set(CoapConfig.EXCHANGE_LIFETIME, 2, TimeUnit.SECONDS);
    configuration.set(CoapConfig.NON_LIFETIME, 2, TimeUnit.SECONDS);
    configuration.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, 1, TimeUnit.SECONDS);
    configuration.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, 2, TimeUnit.SECONDS);
    var system = testKit.system();
    Degradation.get(system).set(DegradationMode.READ_ONLY, "CoAP in memory").toCompletableFuture().join();
    var verifier = new TokenVerifier(secret);
    var decoder = new FrameDecoder(new FrameLimits(maxIdLength, 256, 128, 4096, 256, 16384));
    // The intake needs a producer for each device's lane; read-only refuses every frame before it is used.
    var config = system.settings().config();
    producer = new IngressProducer(new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()),
        KafkaProducerSettings.from(config), "herald.ingress", system.executionContext(),
        new KafkaBreaker(BreakerSettings.from(config), system.classicSystem().scheduler(), system.executionContext()),
        Tracing.get(system));
    var intake = new Intake(decoder, Degradation.get(system), null, null, producer, maxFrameBytes,
        Duration.ofSeconds(1), system.executionContext(), Clock.systemUTC());
    var messages = new MessagesResource(verifier, intake, maxFrameBytes);
    inbox = new InboxResource(verifier, new Downlink(system, UserEntities.none(), Duration.ofMinutes(1)), 16,
        Materializer.matFromSystem(system), system.executionContext(), Clock.systemUTC());
    server = new CoapServer(configuration);
    server.setExecutors(new CallingThread(), timers, false);
    var endpoint = new CoapEndpoint.Builder().setConfiguration(configuration).setConnector(connector).build();
    server.addEndpoint(endpoint);
    var v1 = new CoapResource("v1");
    v1.add(messages);
    v1.add(inbox);
    server.add(v1);
    // What a resource throws is kept (Californium would only log it) and fails the exchange.
    var deliverer = new ServerMessageDeliverer(server.getRoot(), configuration);
    endpoint.setMessageDeliverer(new MessageDeliverer() {
      @Override
      public void deliverRequest(Exchange exchange) {
        try {
          deliverer.deliverRequest(exchange);
        } catch (Throwable t) {
          failures.add(t);
        }
      }

      @Override
      public void deliverResponse(Exchange exchange, Response response) {
        deliverer.deliverResponse(exchange, response);
      }
    });
    server.start();
  }

  /**
   * Hands the endpoint {@code datagrams} from {@code peer}, one after the other, and returns what it sent back, in
   * order; observations registered on the way are cancelled. Throws what a resource threw.
   */
  List<byte[]> exchange(InetSocketAddress peer, List<byte[]> datagrams) {
    connector.sent.clear();
    failures.clear();
    for (var datagram : datagrams) {
      connector.receive(datagram, peer);
    }
    inbox.clearObserveRelations();
    if (!failures.isEmpty()) {
      throw new AssertionError("a resource threw", failures.get(0));
    }
    return connector.sent.stream().map(RawData::getBytes).toList();
  }

  InetSocketAddress address() {
    return connector.getAddress();
  }

  @Override
  public void close() {
    server.destroy();
    timers.shutdownNow();
    producer.close().toCompletableFuture().join();
    testKit.shutdownTestKit();
  }

  /** Californium's UDP socket, in memory: datagrams in by {@link #receive}, what the stack sends kept in order. */
  private static final class MemoryConnector implements Connector {
    private final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5683);
    final List<RawData> sent = new CopyOnWriteArrayList<>();
    private volatile RawDataChannel receiver;

    void receive(byte[] datagram, InetSocketAddress peer) {
      receiver.receiveData(RawData.inbound(datagram, new AddressEndpointContext(peer), false, System.nanoTime(),
          address));
    }

    @Override
    public void send(RawData message) {
      message.onContextEstablished(message.getEndpointContext());
      sent.add(message);
      message.onSent();
    }

    @Override
    public void setRawDataReceiver(RawDataChannel receiver) {
      this.receiver = receiver;
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public void destroy() {}

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher matcher) {}

    @Override
    public InetSocketAddress getAddress() {
      return address;
    }

    @Override
    public String getProtocol() {
      return "UDP";
    }

    @Override
    public boolean isRunning() {
      return true;
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {}
  }

  /** Runs what Californium hands its main executor at once, in the calling thread. */
  private static final class CallingThread extends ScheduledThreadPoolExecutor {
    CallingThread() {
      super(1);
    }

    @Override
    public void execute(Runnable command) {
      command.run();
    }
  }
}
