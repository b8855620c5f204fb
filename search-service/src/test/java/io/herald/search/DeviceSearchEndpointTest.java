package io.herald.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Device search parameters: clauses of reported.* and desired.*, exact or prefix; nothing typed is Solr syntax. */
class DeviceSearchEndpointTest {

  private static final DeviceSearchEndpoint.Limits LIMITS = new DeviceSearchEndpoint.Limits(512, 8, 20, 100);

  @Test
  void clausesBecomeFiltersOfTheCallersDevices() {
    var query = DeviceSearchEndpoint.parse(Map.of("q", "reported.fw:1.2* desired.mode:eco", "online", "true"), LIMITS);
    assertEquals(new DeviceSearchEndpoint.Query(List.of(new DeviceSearchEndpoint.Clause("reported.fw", "1.2", true),
        new DeviceSearchEndpoint.Clause("desired.mode", "eco", false)), Optional.of(true), 20), query);
    var params = DeviceSearchEndpoint.solrParams("alice", query);
    assertEquals(List.of("q", "reported.fw:1\\.2* AND desired.mode:\"eco\"", "fq", "owner:\"alice\"", "sort", "id asc",
        "rows", "20", "fl", "id,online,reported.*,desired.*", "fq", "online:true"), params);
    assertEquals("*:*", DeviceSearchEndpoint.solrParams("alice", DeviceSearchEndpoint.parse(Map.of(), LIMITS)).get(1));
  }

  @Test
  void badParametersAreRefusedWithTheReason() {
    for (var bad : List.<Map<String, String>>of(Map.of("q", "fw:1.2"), Map.of("q", "reported.fw"),
        Map.of("q", "reported.fw:"), Map.of("q", "reported.fw:*"), Map.of("q", "reported.f w:1"),
        Map.of("q", "owner:bob"), Map.of("q", "reported.fw:1*2"), Map.of("online", "yes"), Map.of("limit", "0"),
        Map.of("limit", "101"), Map.of("q", "reported.a:1 ".repeat(9)), Map.of("q", "reported.a:" + "x".repeat(512)))) {
      var refused = assertThrows(IllegalArgumentException.class, () -> DeviceSearchEndpoint.parse(bad, LIMITS),
          bad::toString);
      assertEquals(false, refused.getMessage().isBlank());
    }
  }
}
