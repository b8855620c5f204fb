package io.herald.gateway.ingress;

import io.herald.gateway.auth.DeviceIdentity;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;

/** The one way a validated frame becomes the record on the ingress topic, whichever transport brought it. */
public final class IngressRecords {

  private IngressRecords() {}

  /** The frame acts as the token's user and device: identity comes from the token, never from the frame. */
  public static IngressRecord of(ClientFrame frame, DeviceIdentity identity, Transport transport, long receivedAtMs) {
    return IngressRecord.newBuilder()
        .setMessageId(frame.getMessageId())
        .setUserId(identity.userId())
        .setDeviceId(identity.deviceId())
        .setReceivedAtMs(receivedAtMs)
        .setTransport(transport)
        .setFrame(frame)
        .build();
  }
}
