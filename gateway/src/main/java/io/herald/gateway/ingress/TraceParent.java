package io.herald.gateway.ingress;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C trace context {@code traceparent} (version 00): {@code 00-<trace id>-<parent id>-<flags>}. It travels in the
 * Kafka header {@code traceparent} so a frame can be followed from the gateway to the entity that applied it.
 */
public record TraceParent(String traceId, String parentId, String flags) {

  private static final Pattern HEADER = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final String INVALID_TRACE_ID = "0".repeat(32);
  private static final String INVALID_PARENT_ID = "0".repeat(16);
  // Sampled: the gateway starts the trace, so it decides that downstream spans are recorded.
  private static final String SAMPLED = "01";

  /** A valid {@code traceparent} header, or empty for anything else (which starts a new trace instead). */
  public static Optional<TraceParent> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    var matcher = HEADER.matcher(header.trim());
    if (!matcher.matches()
        || matcher.group(1).equals(INVALID_TRACE_ID)
        || matcher.group(2).equals(INVALID_PARENT_ID)) {
      return Optional.empty();
    }
    return Optional.of(new TraceParent(matcher.group(1), matcher.group(2), matcher.group(3)));
  }

  /** A new trace, with the gateway's span as its root. */
  public static TraceParent newTrace() {
    return new TraceParent(randomHex(16), randomHex(8), SAMPLED);
  }

  /** A new span of the same trace, e.g. one per frame of a connection whose upgrade request carried a trace. */
  public TraceParent newSpan() {
    return new TraceParent(traceId, randomHex(8), flags);
  }

  /** The header value. */
  public String header() {
    return "00-" + traceId + "-" + parentId + "-" + flags;
  }

  // Trace ids need to be unique, not unpredictable: ThreadLocalRandom is enough and never blocks.
  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    do {
      ThreadLocalRandom.current().nextBytes(random);
    } while (allZero(random)); // all zeros is the W3C "invalid" value
    return HexFormat.of().formatHex(random);
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
