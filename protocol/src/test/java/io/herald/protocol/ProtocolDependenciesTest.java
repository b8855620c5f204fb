package io.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * herald-protocol is the contract a client takes: it must bring protobuf-java and nothing of the server's stack
 * (Pekko, Scala, OpenTelemetry, logging). Checked on what Maven actually resolved for this module's tests, which
 * is its runtime tree plus the test libraries.
 */
class ProtocolDependenciesTest {

  @Test
  void resolvedJarsAreProtobufAndTestLibrariesOnly() {
    assertEquals(List.of(), ResolvedJars.outside("protobuf-java"), "herald-protocol must depend on protobuf-java only");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "org.apache.pekko.actor.typed.ActorSystem",
      "scala.Option",
      "io.opentelemetry.api.OpenTelemetry",
      "org.slf4j.Logger",
      "com.typesafe.config.Config"})
  void serverClassesAreNotReachable(String className) {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(className));
  }
}
