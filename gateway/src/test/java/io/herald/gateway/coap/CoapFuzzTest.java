package io.herald.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.gateway.auth.TokenVerifier;
import io.herald.gateway.auth.Tokens;
import io.herald.gateway.degradation.Degradation;
import io.herald.gateway.degradation.DegradationMode;
import io.herald.gateway.downlink.Downlink;
import io.herald.gateway.downlink.UserEntities;
import io.herald.gateway.validation.FrameDecoder;
import io.herald.gateway.validation.FrameLimits;
import io.herald.protocol.device.v1.ServerFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CoAP datagrams into the gateway's own resources ({@code /v1/messages}, {@code /v1/inbox}) on a Californium endpoint
 * in this JVM (its UDP socket replaced by memory, its threads by the calling one): raw bytes, or requests with fuzzed
 * options (Uri-Path, Uri-Query: access_token, valid or not, and last_seq; Observe; Block1 and Block2, several blocks of
 * one body in a row) and payloads. Whatever comes, the resources throw nothing, what goes back parses as CoAP, and each
 * answer of the resources (octet-stream) is a ServerFrame whose nack has the CoAP code that goes with its NackCode and
 * a bounded message id. The degradation mode is read-only, so no frame goes on to Kafka: each is answered here.
 *
 * <p>The build fuzzes for 10 s (surefire execution "fuzz"); without JAZZER_FUZZ the inputs under
 * src/test/resources/io/herald/gateway/coap/CoapFuzzTestInputs are replayed; long on demand:
 * {@code mvn -pl gateway test-compile surefire:test@fuzz -Dherald.fuzz.long=true -Dtest=CoapFuzzTest}.
 */
class CoapFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  private static final String SECRET = "coap-fuzz-test-secret";
  private static final int MAX_FRAME_BYTES = 65_536;
  private static final int MAX_ID_LENGTH = 128;

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final MemoryConnector connector = new MemoryConnector();
  private static final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private static final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private static final InboxResource inbox;
  private static final CoapServer server;

  static {
    CoapConfig.register();
    UdpConfig.register();
    Configuration configuration = Configuration.createStandardWithoutFile();
    // As CoapIngress configures it.
    configuration.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, MAX_FRAME_BYTES + 1024);
    configuration.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_MARK_AND_SWEEP);
    // Exchanges and block-wise transfers forgotten within seconds, not minutes: a long run sends millions.
    configuration.set(CoapConfig.EXCHANGE_LIFETIME, 2, TimeUnit.SECONDS);
    configuration.set(CoapConfig.NON_LIFETIME, 2, TimeUnit.SECONDS);
    configuration.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, 1, TimeUnit.SECONDS);
    configuration.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, 2, TimeUnit.SECONDS);
    var system = testKit.system();
    Degradation.get(system).set(DegradationMode.READ_ONLY, "fuzzing").toCompletableFuture().join();
    var verifier = new TokenVerifier(SECRET);
    var decoder = new FrameDecoder(new FrameLimits(MAX_ID_LENGTH, 256, 128, 4096, 256, 16384));
    // Admission, ownership and the producer come after the degradation check, which refuses every frame: not reached.
    var messages = new MessagesResource(verifier, decoder, null, null, Degradation.get(system), Duration.ofSeconds(1),
        null, MAX_FRAME_BYTES, system.executionContext(), Clock.systemUTC());
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

  @AfterAll
  static void stop() {
    server.destroy();
    timers.shutdownNow();
    testKit.shutdownTestKit();
  }

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "10s")
  void datagramsToTheGatewaysResources(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5m")
  void datagramsToTheGatewaysResourcesForLong(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) {
    // A few peers, so that retransmissions (same peer, same message id) meet the deduplicator.
    var peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000 + data.consumeInt(0, 3));
    int datagrams = data.consumeInt(1, 4);
    connector.sent.clear();
    failures.clear();
    for (int i = 0; i < datagrams && data.remainingBytes() > 0; i++) {
      connector.receive(data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 2048)) : request(data), peer);
    }
    inbox.clearObserveRelations();
    if (!failures.isEmpty()) {
      var failure = new AssertionError("a resource threw", failures.get(0));
      failures.clear();
      throw failure;
    }
    var parser = new UdpDataParser();
    for (var sent : connector.sent) {
      Message message = parser.parseMessage(sent.getBytes());
      if (message instanceof Response response
          && response.getOptions().getContentFormat() == MediaTypeRegistry.APPLICATION_OCTET_STREAM) {
        checkAnswer(response);
      }
    }
  }

  /** An answer of the gateway's resources: a ServerFrame whose nack has its code's CoAP code. */
  private static void checkAnswer(Response response) {
    var block = response.getOptions().getBlock2();
    if (block != null && (block.isM() || block.getNum() > 0)) {
      // One block of an answer the client asked for in smaller blocks (early Block2 negotiation): not a whole frame.
      return;
    }
    ServerFrame frame;
    try {
      frame = ServerFrame.parseFrom(response.getPayload());
    } catch (InvalidProtocolBufferException e) {
      fail("a resource answered with a payload that is no ServerFrame: " + response);
      return;
    }
    if (frame.hasNack()) {
      var nack = frame.getNack();
      assertEquals(CoapCodes.forNack(nack.getCode()), response.getCode(), nack.toString());
      assertTrue(nack.getMessageId().length() <= MAX_ID_LENGTH, nack.getMessageId());
    } else {
      assertTrue(frame.hasWelcome() || frame.hasAck() || frame.hasPush(), frame.toString());
    }
  }

  /** A request with fuzzed type, code, message id, token, options and payload, as a client's stack would encode it. */
  private static byte[] request(FuzzedDataProvider data) {
    var code = data.pickValue(new CoAP.Code[] {CoAP.Code.POST, CoAP.Code.GET, CoAP.Code.PUT, CoAP.Code.FETCH});
    var request = new Request(code, data.consumeBoolean() ? CoAP.Type.CON : CoAP.Type.NON);
    request.setMID(data.consumeInt(0, 65_535));
    request.setToken(new Token(data.consumeBytes(data.consumeInt(0, 8))));
    var options = request.getOptions();
    switch (data.consumeInt(0, 2)) {
      case 0 -> options.setUriPath("v1/messages");
      case 1 -> options.setUriPath("v1/inbox");
      default -> options.setUriPath(fitting(data.consumeString(63), 255));
    }
    if (data.consumeBoolean()) {
      // A Uri-Query option holds at most 255 bytes (RFC 7252), "access_token=" and the token: short ids only (a
      // token naming two UUIDs is already 252 characters long; see docs/fuzzing.md).
      String token = data.consumeBoolean()
          ? Tokens.mint(SECRET, "u" + data.consumeAsciiString(15), "d" + data.consumeAsciiString(15),
              Duration.ofMinutes(5))
          : fitting(data.consumeString(242), 242);
      // (A minted token whose ids need escaping in JSON may not fit: cut, it is refused as any other bad token.)
      options.addUriQuery(fitting(MessagesResource.TOKEN_QUERY + "=" + token, 255));
    }
    if (data.consumeBoolean()) {
      options.addUriQuery(InboxResource.LAST_SEQ_QUERY + "=" + fitting(data.consumeString(24), 246));
    }
    if (data.consumeBoolean()) {
      options.addUriQuery(fitting(data.consumeString(63), 255));
    }
    if (data.consumeBoolean()) {
      options.setObserve(data.consumeInt(0, 2));
    }
    if (data.consumeBoolean()) {
      options.setBlock1(new BlockOption(data.consumeInt(0, 6), data.consumeBoolean(), data.consumeInt(0, 4096)));
    }
    if (data.consumeBoolean()) {
      options.setBlock2(new BlockOption(data.consumeInt(0, 6), false, data.consumeInt(0, 16)));
    }
    if (data.consumeBoolean()) {
      options.setSize1(data.consumeInt(0, 1 << 20));
    }
    // A GET with a payload too: a client may send one, and Californium's own encoder would refuse to.
    if (!request.isIntendedPayload()) {
      request.setUnintendedPayload();
    }
    request.setPayload(data.consumeBytes(data.consumeInt(0, 1100)));
    request.setDestinationContext(new AddressEndpointContext(connector.getAddress()));
    return new UdpDataSerializer().serializeRequest(request).getBytes();
  }

  /** {@code text} cut to at most {@code maxBytes} in UTF-8 (what one option holds), on a code point boundary. */
  private static String fitting(String text, int maxBytes) {
    while (text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      text = text.substring(0, text.offsetByCodePoints(text.length(), -1));
    }
    return text;
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
    public void processDatagram(java.net.DatagramPacket datagram) {}
  }

  /** Runs what Californium hands its main executor at once, in the calling thread: each datagram is handled in full. */
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
