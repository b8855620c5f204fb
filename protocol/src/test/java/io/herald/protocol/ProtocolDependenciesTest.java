package io.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * herald-protocol is the contract a client takes: it must bring protobuf-java and nothing of the server's stack
 * (Pekko, Scala, OpenTelemetry, logging). Checked on what Maven actually resolved for this module's tests, which
 * is its runtime tree plus the test libraries.
 */
class ProtocolDependenciesTest {

  /** Jars this module may see: protobuf at run time; JUnit and Awaitility (with what they pull) in tests only. */
  private static final Pattern ALLOWED = Pattern.compile(
      "(protobuf-java|junit-jupiter.*|junit-platform.*|opentest4j|apiguardian-api|awaitility|hamcrest)-[0-9].*\\.jar");

  @Test
  void resolvedJarsAreProtobufAndTestLibrariesOnly() {
    String classpath = System.getProperty("surefire.test.class.path");
    assertNotNull(classpath, "surefire.test.class.path is not set: this test must run under Maven Surefire");
    List<String> unexpected = Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar"))
        .map(entry -> Path.of(entry).getFileName().toString())
        .filter(jar -> !ALLOWED.matcher(jar).matches())
        .toList();
    assertEquals(List.of(), unexpected, "herald-protocol must depend on protobuf-java only");
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
