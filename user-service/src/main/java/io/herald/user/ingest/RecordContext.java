package io.herald.user.ingest;

import io.herald.protocol.ingress.v1.IngressRecord;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * What a log line about one record says about it, as MDC fields (the JSON log format shows them as fields):
 * {@code message_id}, {@code user_id}, {@code device_id} and the W3C {@code trace_id} of the record's apply span,
 * which is the trace the gateway started (or continued) for the frame. The pipeline's stages run on pool threads, so
 * each line is logged inside {@link #log}.
 */
record RecordContext(Map<String, String> fields) {

  static RecordContext of(IngressRecord record, String traceId) {
    return new RecordContext(Map.of(
        "message_id", record.getMessageId(),
        "user_id", record.getUserId(),
        "device_id", record.getDeviceId(),
        "trace_id", traceId));
  }

  void log(Runnable line) {
    within(() -> {
      line.run();
      return null;
    });
  }

  /** Runs {@code action} (which logs synchronously) with the record's fields in the MDC. */
  <T> T within(Supplier<T> action) {
    fields.forEach(MDC::put);
    try {
      return action.get();
    } finally {
      fields.keySet().forEach(MDC::remove);
    }
  }
}
