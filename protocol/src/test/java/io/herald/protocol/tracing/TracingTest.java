package io.herald.protocol.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  private ActorTestKit testKit;

  @AfterEach
  void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aFrameWithoutCallerTraceStartsATraceThatTheApplySpanContinues() {
    var tracing = Tracing.get(start(Map.of()).system());
    var publish = tracing.startPublish(Optional.empty(), "m-1", "alice", "phone");
    var header = Tracing.traceparent(publish);
    var apply = tracing.startApply(header, "m-1", "alice", "phone");

    assertTrue(header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), header);
    assertTrue(publish.getSpanContext().isSampled(), "a trace started here is sampled at ratio 1.0");
    assertEquals(publish.getSpanContext().getTraceId(), apply.getSpanContext().getTraceId());
    assertNotEquals(publish.getSpanContext().getSpanId(), apply.getSpanContext().getSpanId());
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

  private ActorTestKit start(Map<String, Object> settings) {
    testKit = ActorTestKit.create(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()));
    return testKit;
  }
}
