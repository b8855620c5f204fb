package io.herald.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Bytes written by the v1 schema must decode to the same values with today's schema. */
class CompatibilityTest {

  @TestFactory
  Stream<DynamicTest> storedV1BytesStillDecode() {
    return CompatibilityFixtures.v1().entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
      Message expected = entry.getValue();
      Message decoded = expected.getParserForType().parseFrom(stored(entry.getKey()));
      assertEquals(expected, decoded);
    }));
  }

  private static byte[] stored(String name) throws IOException {
    try (InputStream in = CompatibilityTest.class.getResourceAsStream("/compat/v1/" + name + ".bin")) {
      assertNotNull(in, "no stored bytes for " + name + ": run CompatibilityFixtures.main once and commit them");
      return in.readAllBytes();
    }
  }
}
