package io.herald.gateway.validation;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

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
        positive(c, "max-id-length"),
        positive(c, "max-map-entries"),
        positive(c, "max-key-length"),
        positive(c, "max-value-length"),
        positive(c, "max-members"),
        positive(c, "max-text-length"));
  }

  private static int positive(Config c, String path) {
    int value = c.getInt(path);
    if (value <= 0) {
      throw new ConfigException.BadValue(c.origin(), path, "must be positive, was " + value);
    }
    return value;
  }
}
