package io.herald.gateway.degradation;

import java.util.Arrays;
import java.util.Optional;

/** What the gateways of the cluster accept, set by an operator (docs/architecture.md, "Failure and degradation"). */
public enum DegradationMode {
  /** Everything. */
  NORMAL("normal"),
  /** Telemetry and heartbeats get RETRY_LATER; chat, shadows and acknowledgements go on. */
  SHED_TELEMETRY("shed-telemetry"),
  /** Every frame that would be written gets RETRY_LATER; sessions, pushes and REST reads go on. */
  READ_ONLY("read-only");

  private final String wireName;

  DegradationMode(String wireName) {
    this.wireName = wireName;
  }

  /** The name operators use (/admin/degradation?mode=...) and metrics show. */
  public String wireName() {
    return wireName;
  }

  public static Optional<DegradationMode> parse(String name) {
    return Arrays.stream(values()).filter(mode -> mode.wireName.equals(name)).findFirst();
  }
}
