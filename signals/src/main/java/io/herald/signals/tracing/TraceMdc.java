package io.herald.signals.tracing;

import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * A log line about one frame carries the frame's trace as MDC fields {@code trace_id} and {@code span_id} (the node's
 * logback prints them in both formats). Frames hop threads (streams, actors, Kafka's callbacks), so the fields are set
 * around one synchronous log call on the thread that logs, and removed right after: nothing is left in a pooled
 * thread's MDC for the next frame to inherit.
 */
public final class TraceMdc {

  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  private TraceMdc() {}

  /** Runs {@code line} (which logs synchronously) with {@code trace}'s ids in the MDC; an invalid trace adds none. */
  public static void log(SpanContext trace, Runnable line) {
    if (!trace.isValid()) {
      line.run();
      return;
    }
    MDC.put(TRACE_ID, trace.getTraceId());
    MDC.put(SPAN_ID, trace.getSpanId());
    try {
      line.run();
    } finally {
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
  }

  /**
   * Runs {@code line} with the ids of a caller's W3C {@code traceparent} (e.g. a WebSocket upgrade request's) in the
   * MDC: the trace of a frame that was refused before it got a publish span of its own. None when absent or invalid.
   */
  public static void log(Optional<String> callerTraceparent, Runnable line) {
    log(callerTraceparent.map(Tracing::spanContext).orElse(SpanContext.getInvalid()), line);
  }
}
