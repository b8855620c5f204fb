package io.herald.gateway.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceParentTest {

  private static final String W3C_EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aValidHeaderRoundTrips() {
    TraceParent parsed = TraceParent.parse(W3C_EXAMPLE).orElseThrow();

    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", parsed.traceId());
    assertEquals("00f067aa0ba902b7", parsed.parentId());
    assertEquals(W3C_EXAMPLE, parsed.header());
  }

  @Test
  void invalidHeadersAreIgnored() {
    assertEquals(Optional.empty(), TraceParent.parse(null));
    assertEquals(Optional.empty(), TraceParent.parse("garbage"));
    assertEquals(Optional.empty(), TraceParent.parse(W3C_EXAMPLE.toUpperCase()));
    assertEquals(Optional.empty(), TraceParent.parse("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"));
    assertEquals(Optional.empty(), TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01"));
  }

  @Test
  void aNewTraceIsAValidHeader() {
    TraceParent trace = TraceParent.newTrace();

    assertTrue(trace.header().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), trace.header());
    assertEquals(Optional.of(trace), TraceParent.parse(trace.header()));
    assertNotEquals(trace.traceId(), TraceParent.newTrace().traceId());
  }

  @Test
  void aNewSpanStaysInItsTrace() {
    TraceParent caller = TraceParent.parse(W3C_EXAMPLE).orElseThrow();

    TraceParent span = caller.newSpan();

    assertEquals(caller.traceId(), span.traceId());
    assertEquals(caller.flags(), span.flags());
    assertNotEquals(caller.parentId(), span.parentId());
  }
}
