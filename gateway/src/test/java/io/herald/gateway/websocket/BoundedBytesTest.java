package io.herald.gateway.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class BoundedBytesTest {

  @Test
  void aMessageAtTheLimitIsKeptWhole() {
    BoundedBytes bytes = BoundedBytes.empty(10).append(chunk(4)).append(chunk(6));

    assertFalse(bytes.exceedsLimit());
    assertEquals(10, bytes.kept().size());
  }

  @Test
  void pastTheLimitOnlyOneMoreByteIsKeptButAllAreCounted() {
    BoundedBytes bytes = BoundedBytes.empty(10);
    for (int i = 0; i < 1000; i++) {
      bytes = bytes.append(chunk(1024));
    }

    assertTrue(bytes.exceedsLimit());
    assertEquals(11, bytes.kept().size());
    assertEquals(1024_000, bytes.total());
  }

  private static ByteString chunk(int size) {
    return ByteString.fromArrayUnsafe(new byte[size]);
  }
}
