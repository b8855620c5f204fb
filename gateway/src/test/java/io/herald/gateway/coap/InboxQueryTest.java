package io.herald.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.gateway.auth.Tokens;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.ServerFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The inbox registration's query, as the gateway's CoAP endpoint reads it. */
class InboxQueryTest {

  private static final String SECRET = "inbox-query-test-secret-of-32-bytes-or-more";
  private static final CoapInMemory coap = new CoapInMemory(SECRET, 65_536, 128);

  @AfterAll
  static void stop() {
    coap.close();
  }

  @Test
  void aNegativeLastSeqIsInvalidAsInAWebSocketHello() throws Exception {
    var answer = register("-1");
    assertEquals(CoAP.ResponseCode.BAD_REQUEST, answer.getCode());
    assertEquals(NackCode.INVALID, ServerFrame.parseFrom(answer.getPayload()).getNack().getCode());
  }

  @Test
  void aLastSeqFromZeroUpIsWhereTheWelcomeResumes() throws Exception {
    var answer = register("7");
    assertEquals(CoAP.ResponseCode.CONTENT, answer.getCode());
    assertEquals(7, ServerFrame.parseFrom(answer.getPayload()).getWelcome().getResumedFromSeq());
  }

  private static Response register(String lastSeq) {
    var request = Request.newGet();
    request.setMID(lastSeq.hashCode() & 0xffff);
    request.setToken(new Token(new byte[] {1, 2}));
    request.getOptions().setUriPath("v1/inbox").setObserve(0)
        .addUriQuery(MessagesResource.TOKEN_QUERY + "=" + Tokens.mint(SECRET, "u-1", "d-1", Duration.ofMinutes(5)))
        .addUriQuery(InboxResource.LAST_SEQ_QUERY + "=" + lastSeq);
    request.setDestinationContext(new AddressEndpointContext(coap.address()));
    var peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_100);
    var sent = coap.exchange(peer, List.of(new UdpDataSerializer().serializeRequest(request).getBytes()));
    return (Response) new UdpDataParser().parseMessage(sent.get(sent.size() - 1));
  }
}
