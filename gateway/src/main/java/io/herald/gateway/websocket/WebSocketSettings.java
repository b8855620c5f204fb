package io.herald.gateway.websocket;

import static io.herald.gateway.SettingChecks.positiveDuration;
import static io.herald.gateway.SettingChecks.positiveInt;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code herald.gateway.websocket} and the frame limits the WebSocket endpoint applies (see reference.conf).
 *
 * @param maxFrameBytes largest accepted message; larger ones are answered with {@code TOO_LARGE}
 * @param maxInFlight frames of one connection handed to Kafka and not yet acknowledged by it
 * @param idleTimeout a session without any incoming message for this long is closed
 * @param outgoingBuffer replies waiting for a slow client to read them
 * @param retryAfter the {@code retry_after_ms} of {@code RETRY_LATER} nacks
 * @param pushBuffer pushes waiting for the client; one more closes the session (slow subscriber)
 */
public record WebSocketSettings(
    int maxFrameBytes,
    int maxInFlight,
    Duration idleTimeout,
    int outgoingBuffer,
    Duration retryAfter,
    int pushBuffer) {

  public static WebSocketSettings from(Config config) {
    Config gateway = config.getConfig("herald.gateway");
    long maxFrameBytes = gateway.getBytes("max-frame-bytes");
    // One byte more than the limit is kept to tell "at the limit" from "over it", and must still fit an array.
    if (maxFrameBytes <= 0 || maxFrameBytes >= Integer.MAX_VALUE) {
      throw new ConfigException.BadValue(
          gateway.origin(), "max-frame-bytes", "must be between 1 byte and 2 GiB, was " + maxFrameBytes);
    }
    Config webSocket = gateway.getConfig("websocket");
    return new WebSocketSettings(
        (int) maxFrameBytes,
        positiveInt(webSocket, "max-in-flight"),
        positiveDuration(webSocket, "idle-timeout"),
        positiveInt(webSocket, "outgoing-buffer"),
        positiveDuration(gateway, "retry-after"),
        positiveInt(webSocket, "push-buffer"));
  }
}
