package io.herald.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.protocol.device.v1.NackCode;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;

/** Every nack code has the CoAP response code of the contract (FORBIDDEN and UNKNOWN_DEVICE included). */
class CoapCodesTest {

  @Test
  void eachNackCodeHasItsCoapCode() {
    assertEquals(ResponseCode.SERVICE_UNAVAILABLE, CoapCodes.forNack(NackCode.RETRY_LATER)); // 5.03
    assertEquals(ResponseCode.UNAUTHORIZED, CoapCodes.forNack(NackCode.UNAUTHORIZED)); // 4.01
    assertEquals(ResponseCode.BAD_REQUEST, CoapCodes.forNack(NackCode.INVALID)); // 4.00
    assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, CoapCodes.forNack(NackCode.TOO_LARGE)); // 4.13
    assertEquals(ResponseCode.FORBIDDEN, CoapCodes.forNack(NackCode.FORBIDDEN)); // 4.03
    assertEquals(ResponseCode.NOT_FOUND, CoapCodes.forNack(NackCode.UNKNOWN_DEVICE)); // 4.04
    assertEquals(ResponseCode.CONFLICT, CoapCodes.forNack(NackCode.ALREADY_EXISTS)); // 4.09
    assertEquals(ResponseCode.FORBIDDEN, CoapCodes.forNack(NackCode.TOO_MANY_MEMBERS)); // 4.03
  }
}
