package io.herald.gateway.validation;

import static io.herald.gateway.SettingChecks.positiveInt;

import com.typesafe.config.Config;

/**
 * Bounds on what one {@link io.herald.protocol.device.v1.ClientFrame} may carry, beyond its byte size. They keep a
 * single frame from costing downstream entities (shadows, conversations) more than a frame's worth of work. Lengths
 * count Unicode code points.
 *
 * @param maxIdLength message ids, device ids, conversation ids, user ids, client version
 * @param maxMapEntries entries of telemetry readings and of reported/desired properties
 * @param maxKeyLength keys of those maps
 * @param maxValueLength values of reported/desired properties
 * @param maxMembers member user ids of a new conversation
 * @param maxTextLength text of a chat message
 */
public record FrameLimits(
    int maxIdLength, int maxMapEntries, int maxKeyLength, int maxValueLength, int maxMembers, int maxTextLength) {

  /** Reads {@code herald.gateway.validation}. */
  public static FrameLimits from(Config config) {
    Config c = config.getConfig("herald.gateway.validation");
    return new FrameLimits(
        positiveInt(c, "max-id-length"),
        positiveInt(c, "max-map-entries"),
        positiveInt(c, "max-key-length"),
        positiveInt(c, "max-value-length"),
        positiveInt(c, "max-members"),
        positiveInt(c, "max-text-length"));
  }
}
