package io.herald.gateway.coap;

import io.herald.protocol.device.v1.NackCode;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/** The CoAP response code that goes with each nack (docs/contract.md, "Endpoints": CoAP). */
final class CoapCodes {

  private CoapCodes() {}

  static ResponseCode forNack(NackCode code) {
    return switch (code) {
      case RETRY_LATER -> ResponseCode.SERVICE_UNAVAILABLE; // 5.03, with Max-Age = retry-after
      case UNAUTHORIZED -> ResponseCode.UNAUTHORIZED; // 4.01
      case INVALID -> ResponseCode.BAD_REQUEST; // 4.00
      case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE; // 4.13
      case FORBIDDEN -> ResponseCode.FORBIDDEN; // 4.03
      case UNKNOWN_DEVICE -> ResponseCode.NOT_FOUND; // 4.04
      // Conversation entities refuse with these (as push.rejected); the gateway itself does not.
      case ALREADY_EXISTS -> ResponseCode.CONFLICT; // 4.09
      case TOO_MANY_MEMBERS -> ResponseCode.FORBIDDEN; // 4.03
      // A nack without a known code is the server's fault, not the client's.
      case NACK_CODE_UNSPECIFIED, UNRECOGNIZED -> ResponseCode.INTERNAL_SERVER_ERROR;
    };
  }
}
