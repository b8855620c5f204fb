package io.herald.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.ServerFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CoAP datagrams into the gateway's own resources ({@code /v1/messages}, {@code /v1/inbox}) on a Californium endpoint
 * in this JVM (its UDP socket replaced by memory, its threads by the calling one): raw bytes, or requests with fuzzed
 * options (Uri-Path, Uri-Query: access_token, valid or not, and last_seq; Observe; Block1 and Block2, several blocks of
 * one body in a row) and payloads. Whatever comes, the resources throw nothing, what goes back parses as CoAP, and each
 * answer of the resources (octet-stream) is a ServerFrame whose nack has the CoAP code that goes with its NackCode and
 * a bounded message id, and whose welcome resumes from no negative sequence. The degradation mode is read-only, so no frame goes on to Kafka: each is answered here.
 *
 * <p>Every build replays the inputs under
 * src/test/resources/io/herald/gateway/coap/CoapFuzzTestInputs (surefire execution "fuzz");
 * {@code -Dherald.fuzz=true} fuzzes for 5 s, with {@code -Dherald.fuzz.long=true} for long (docs/fuzzing.md):
 * {@code mvn -pl gateway test-compile surefire:test@fuzz -Dherald.fuzz=true -Dherald.fuzz.long=true -Dtest=CoapFuzzTest}.
 */
class CoapFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";
  private static final String SECRET = "coap-fuzz-test-secret-of-32-bytes-or-more";
  private static final int MAX_FRAME_BYTES = 65_536;
  private static final int MAX_ID_LENGTH = 128;

  private static final CoapInMemory coap = new CoapInMemory(SECRET, MAX_FRAME_BYTES, MAX_ID_LENGTH);

  @AfterAll
  static void stop() {
    coap.close();
  }

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5s")
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
    var sent = new ArrayList<byte[]>();
    for (int i = 0; i < datagrams && data.remainingBytes() > 0; i++) {
      sent.add(data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 2048)) : request(data));
    }
    var parser = new UdpDataParser();
    for (var answer : coap.exchange(peer, sent)) {
      Message message = parser.parseMessage(answer);
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
      // As over WebSocket (hello.last_seq), a push sequence the client saw is never negative.
      assertTrue(frame.getWelcome().getResumedFromSeq() >= 0, frame.toString());
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
    // A block holds at most its size (Californium's encoder insists; raw datagrams above may break the rule).
    var block1 = options.getBlock1();
    request.setPayload(data.consumeBytes(data.consumeInt(0, block1 == null ? 1100 : block1.getSize())));
    request.setDestinationContext(new AddressEndpointContext(coap.address()));
    return new UdpDataSerializer().serializeRequest(request).getBytes();
  }

  /** {@code text} cut to at most {@code maxBytes} in UTF-8 (what one option holds), on a code point boundary. */
  private static String fitting(String text, int maxBytes) {
    while (text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      text = text.substring(0, text.offsetByCodePoints(text.length(), -1));
    }
    return text;
  }
}
