package io.herald.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search parameters' checks and the Solr query they make (the endpoint on real Solr: deploy/node's ChatSearchTest). */
class SearchEndpointTest {

  private static final SearchSettings.QueryLimits LIMITS =
      new SearchSettings.QueryLimits(20, 3, 10, 5, 10, 10, 4, Duration.ofSeconds(1));

  @Test
  void badParametersAreRefusedWithWhatIsAllowed() {
    for (var bad : List.of(Map.<String, String>of(), Map.of("q", "  "), Map.of("q", "x".repeat(21)),
        Map.of("q", "a b c d"), Map.of("q", "a", "limit", "0"), Map.of("q", "a", "limit", "11"),
        Map.of("q", "a", "limit", "ten"), Map.of("q", "a", "from", "-1"), Map.of("q", "a", "to", "9007199254740992"),
        Map.of("q", "a", "from", "2", "to", "1"), Map.of("q", "a", "conversation_id", ""),
        Map.of("q", "a", "conversation_id", "c".repeat(11)))) {
      var refused = assertThrows(IllegalArgumentException.class, () -> SearchEndpoint.parse(bad, LIMITS), bad::toString);
      assertTrue(refused.getMessage().length() > 10, refused::getMessage);
    }
  }

  @Test
  void theQueryFiltersByTheCallerAndQuotesWhatTheUserTyped() {
    var query = SearchEndpoint.parse(Map.of("q", " fox  \"*:*\" ", "conversation_id", "c\"1", "from", "5"), LIMITS);
    assertEquals(List.of("fox", "\"*:*\""), query.terms());
    assertEquals(5, query.limit(), "the default limit");

    var params = SearchEndpoint.solrParams("bob\\", query);
    assertEquals(List.of("q", "\"fox\" \"\\\"*:*\\\"\"", "df", "text", "q.op", "AND", "fq", "kind:message",
        "fq", "members:\"bob\\\\\"", "fq", "at_ms:[5 TO 9007199254740991]", "sort", "at_ms desc,id asc",
        "rows", "5", "fl", "conversation_id,message_id,conversation_seq,sender,text,at_ms",
        "fq", "conversation_id:\"c\\\"1\""), params);
  }

  @Test
  void anAnswerStopsAtItsByteBound() throws Exception {
    var found = new ObjectMapper().readTree("{\"numFound\":3,\"docs\":[{\"text\":\"123456\"},{\"text\":\"1234\"},"
        + "{\"text\":\"1\"}]}");
    var answer = SearchEndpoint.render(found, 10);
    assertEquals(2, answer.path("messages").size());
    assertTrue(answer.path("truncated").asBoolean());
    assertEquals(3, answer.path("found").asLong());
  }
}
