package io.herald.load.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Numbers in summary.json are valid JSON however they round (a chaos soak's fault marker once read "10."). */
class JsonTest {

  @Test
  void numbersAreWrittenAsValidJsonNumbers() {
    assertEquals("10", Json.number(10.0));
    assertEquals("10", Json.number(10.0004));
    assertEquals("10.5", Json.number(10.5));
    assertEquals("10.001", Json.number(10.0009));
    assertEquals("0.125", Json.number(0.125));
    assertEquals("-3", Json.number(-3.0002));
    assertEquals("null", Json.number(Double.NaN));
  }
}
