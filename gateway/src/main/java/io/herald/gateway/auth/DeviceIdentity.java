package io.herald.gateway.auth;

import java.util.Objects;

/**
 * Who a connection acts for, as proven by its token. Frames never name their own user or device: everything the
 * gateway writes to Kafka carries this identity.
 */
public record DeviceIdentity(String userId, String deviceId) {
  public DeviceIdentity {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceId, "deviceId");
  }
}
