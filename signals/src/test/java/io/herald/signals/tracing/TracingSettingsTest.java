package io.herald.signals.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the OTLP settings (and so the standard OTEL_* variables that feed them) decide where traces go. */
class TracingSettingsTest {

  private static Tracing.TracingSettings settings(Map<String, Object> values) {
    return Tracing.TracingSettings.from(ConfigFactory.parseMap(values).withFallback(ConfigFactory.load()));
  }

  @Test
  void withNoEndpointNothingIsExported() {
    assertEquals(Optional.empty(), settings(Map.of()).otlpEndpoint());
  }

  @Test
  void aBaseEndpointGetsTheTracesPathAndATracesEndpointIsTakenAsIs() {
    assertEquals(Optional.of("http://collector:4318/v1/traces"),
        settings(Map.of("herald.tracing.otlp.base-endpoint", "http://collector:4318")).otlpEndpoint());
    assertEquals(Optional.of("http://collector:4318/v1/traces"),
        settings(Map.of("herald.tracing.otlp.base-endpoint", "http://collector:4318/")).otlpEndpoint());
    assertEquals(Optional.of("http://other:4318/custom"), settings(Map.of(
        "herald.tracing.otlp.base-endpoint", "http://collector:4318",
        "herald.tracing.otlp.endpoint", "http://other:4318/custom")).otlpEndpoint());
  }

  @Test
  void disabledExportsNothingWhateverTheEndpoint() {
    assertEquals(Optional.empty(), settings(Map.of(
        "herald.tracing.otlp.endpoint", "http://collector:4318/v1/traces",
        "herald.tracing.disabled", "true")).otlpEndpoint());
  }

  @Test
  void headersArePairsWithPercentEncodedValues() {
    assertEquals(Map.of("x-api-key", "a b=c", "tenant", "t1"),
        settings(Map.of("herald.tracing.otlp.headers", "x-api-key=a%20b%3Dc, tenant=t1")).otlpHeaders());
    assertThrows(ConfigException.BadValue.class,
        () -> settings(Map.of("herald.tracing.otlp.headers", "no-value-here")));
  }
}
