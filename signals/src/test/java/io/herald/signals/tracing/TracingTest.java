package io.herald.signals.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trace context from a caller through the gateway's publish span to the consumer's apply span (export: node tests). */
class TracingTest {

  // Spans queue for export and are dropped when the test kit stops; nothing listens on the discard port.
  private static final String UNREACHABLE_COLLECTOR = "http://127.0.0.1:9/v1/traces";

  private ActorTestKit testKit;

  @AfterEach
  void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aFrameWithoutCallerTraceStartsATraceThatTheApplySpanContinues() {
    var tracing = Tracing.get(start(Map.of("herald.tracing.otlp.endpoint", UNREACHABLE_COLLECTOR)).system());
    var publish = tracing.startPublish(Optional.empty(), "m-1", "alice", "phone");
    var header = Tracing.traceparent(publish);
    var apply = tracing.startApply(header, "m-1", "alice", "phone");

    assertTrue(header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), header);
    assertTrue(publish.getSpanContext().isSampled(), header);
    assertTrue(publish.isRecording(), "a trace started here is sampled at ratio 1.0 when it is exported");
    assertEquals(publish.getSpanContext().getTraceId(), apply.getSpanContext().getTraceId());
    assertNotEquals(publish.getSpanContext().getSpanId(), apply.getSpanContext().getSpanId());
    assertTrue(apply.isRecording());
  }

  @Test
  void withoutExportATraceStartedHereHasIdsButIsNotRecordedWhileACallersSampledTraceIs() {
    var tracing = Tracing.get(start(Map.of()).system());
    var publish = tracing.startPublish(Optional.empty(), "m-1", "alice", "phone");
    var header = Tracing.traceparent(publish);
    var apply = tracing.startApply(header, "m-1", "alice", "phone");
    var callers = tracing.startPublish(Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "m-2",
        "alice", "phone");

    assertTrue(header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), header);
    assertFalse(publish.getSpanContext().isSampled(), header);
    assertTrue(publish.getSpanContext().isValid(), "records and logs still carry a trace id");
    assertFalse(publish.isRecording());
    assertEquals(publish.getSpanContext().getTraceId(), apply.getSpanContext().getTraceId());
    assertFalse(apply.isRecording());
    assertTrue(callers.isRecording(), "the caller's sampling decision is kept");
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", callers.getSpanContext().getTraceId());
  }

  @Test
  void aCallersTraceparentMakesThePublishSpanItsChildAndAnInvalidOneStartsANewTrace() {
    var tracing = Tracing.get(start(Map.of()).system());
    var caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    var child = tracing.startPublish(Optional.of(caller), "m-1", "alice", "phone");
    var fresh = tracing.startPublish(Optional.of("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "m-2",
        "alice", "phone");

    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", child.getSpanContext().getTraceId());
    assertTrue(fresh.getSpanContext().isValid());
    assertNotEquals("00000000000000000000000000000000", fresh.getSpanContext().getTraceId());
  }

  @Test
  void applysStepsAreItsChildrenWhenRecordedAndNothingAtAllWhenNot() {
    var exported = Tracing.get(start(Map.of("herald.tracing.otlp.endpoint", UNREACHABLE_COLLECTOR)).system());
    var apply = exported.startApply(null, "m-1", "alice", "phone");
    var persist = exported.startChild(apply, Tracing.PERSIST_SPAN);
    assertTrue(persist.isRecording());
    assertEquals(apply.getSpanContext().getTraceId(), persist.getSpanContext().getTraceId());
    assertNotEquals(apply.getSpanContext().getSpanId(), persist.getSpanContext().getSpanId());
    assertEquals(apply.getSpanContext().getSpanId(),
        ((io.opentelemetry.sdk.trace.ReadableSpan) persist).getParentSpanContext().getSpanId());
    stop();

    var notExported = Tracing.get(start(Map.of()).system());
    var unrecorded = notExported.startApply(null, "m-2", "alice", "phone");
    assertFalse(notExported.startChild(unrecorded, Tracing.OUTBOX_SPAN).getSpanContext().isValid(),
        "no child is made under an unrecorded apply: the path without export stays as cheap as before");
  }

  @Test
  void aLogLineGetsTheTraceAroundItAndTheMdcIsClearAfter() {
    var context = Tracing.spanContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    var seen = new java.util.HashMap<String, String>();
    TraceMdc.log(context, () -> seen.putAll(org.slf4j.MDC.getCopyOfContextMap()));
    assertEquals(Map.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"), seen);
    assertEquals(null, org.slf4j.MDC.get("trace_id"));
    assertFalse(Tracing.spanContext("garbage").isValid());
  }

  private ActorTestKit start(Map<String, Object> settings) {
    testKit = ActorTestKit.create(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()));
    return testKit;
  }
}
