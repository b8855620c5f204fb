package io.herald.user.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.ingress.v1.IngressRecord;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Whatever a herald.ingress record's value holds (anyone who can produce to the topic chooses it), the consumer's
 * routing answers with an entity and a non-empty id, "unrouted", or a reason to dead-letter it: never an exception,
 * which would stop the consumer's stream and, after its restart, stop it again on the same record.
 *
 * <p>Every build replays the inputs under
 * src/test/resources/io/herald/user/ingest/IngressRouteFuzzTestInputs (surefire execution "fuzz");
 * {@code -Dherald.fuzz=true} fuzzes for 5 s, with {@code -Dherald.fuzz.long=true} for long (docs/fuzzing.md):
 * {@code mvn -pl user-service test-compile surefire:test@fuzz -Dherald.fuzz=true -Dherald.fuzz.long=true -Dtest=IngressRouteFuzzTest}.
 */
class IngressRouteFuzzTest {

  private static final String LONG_RUN = "herald.fuzz.long";

  @DisabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5s")
  void recordValuesFromTheTopic(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  @EnabledIfSystemProperty(named = LONG_RUN, matches = "true")
  @FuzzTest(maxDuration = "5m")
  void recordValuesFromTheTopicForLong(FuzzedDataProvider data) {
    fuzzOnce(data);
  }

  private static void fuzzOnce(FuzzedDataProvider data) {
    byte[] value = data.consumeBoolean() ? null : data.consumeRemainingAsBytes();
    IngressRoute route = IngressRoute.of(value);
    IngressRecord parsed;
    try {
      parsed = value == null ? null : IngressRecord.parseFrom(value);
    } catch (InvalidProtocolBufferException undecodable) {
      parsed = null;
    }
    if (parsed == null) {
      assertInstanceOf(IngressRoute.Undeliverable.class, route, "what does not parse is dead-lettered");
      return;
    }
    if (route instanceof IngressRoute.ToEntity to) {
      assertEquals(parsed, to.record());
      assertFalse(to.entityId().isEmpty());
      assertFalse(to.record().getMessageId().isEmpty());
      assertFalse(to.record().getUserId().isEmpty());
      // The same record, encoded again (as a replay from the dead-letter topic does), goes to the same entity.
      assertEquals(to, IngressRoute.of(to.record().toByteArray()));
    } else if (route instanceof IngressRoute.Unrouted unrouted) {
      assertEquals(parsed, unrouted.record());
    } else {
      assertNotNull(((IngressRoute.Undeliverable) route).reason());
    }
  }
}
