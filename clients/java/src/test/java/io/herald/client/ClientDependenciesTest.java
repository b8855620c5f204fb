package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.protocol.ResolvedJars;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client runs in any JVM app and on Android: it may bring the wire protocol and protobuf-java, nothing else. */
class ClientDependenciesTest {

  @Test
  void resolvedJarsAreTheProtocolProtobufAndTestLibrariesOnly() {
    assertEquals(List.of(), ResolvedJars.outside("herald-protocol|protobuf-java"),
        "herald-client must depend on herald-protocol and the JDK only");
  }
}
