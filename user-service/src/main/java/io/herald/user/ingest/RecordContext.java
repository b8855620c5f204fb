package io.herald.user.ingest;

import io.herald.protocol.KafkaHeaders;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;

/**
 * What a log line about one record says about it, as MDC fields (the JSON log format shows them as fields):
 * {@code message_id}, {@code user_id}, {@code device_id} and the W3C {@code trace_id} the gateway put in the record's
 * {@code traceparent} header. The pipeline's stages run on pool threads, so each line is logged inside {@link #log}.
 */
record RecordContext(Map<String, String> fields) {

  static RecordContext of(ConsumerRecord<String, byte[]> consumed, IngressRecord record) {
    var header = consumed.headers().lastHeader(KafkaHeaders.TRACEPARENT);
    // traceparent = version-traceid-spanid-flags
    var parts = header == null ? new String[0] : new String(header.value(), StandardCharsets.UTF_8).split("-");
    return new RecordContext(Map.of(
        "message_id", record.getMessageId(),
        "user_id", record.getUserId(),
        "device_id", record.getDeviceId(),
        "trace_id", parts.length == 4 ? parts[1] : ""));
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
