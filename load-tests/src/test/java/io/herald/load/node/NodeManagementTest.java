package io.herald.load.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeManagementTest {

  @Test
  void addsTheEntitiesOfEveryShardOfTheRegion() {
    String answer = "{\"regions\":[{\"shardId\":\"3\",\"numEntities\":2},{\"shardId\":\"71\",\"numEntities\":5}]}";

    assertEquals(7, NodeManagement.entityCount(answer));
    assertEquals(0, NodeManagement.entityCount("{\"regions\":[]}"), "no shard here: no entity");
  }

  @Test
  void refusesAnAnswerThatIsNotAShardListing() {
    assertThrows(IllegalArgumentException.class, () -> NodeManagement.entityCount("<html>not found</html>"));
    assertThrows(IllegalArgumentException.class, () -> NodeManagement.entityCount("{\"members\":[]}"));
  }

  private static final String METRICS = String.join("\n",
      "# HELP jvm_memory_used_bytes The amount of used memory",
      "# TYPE jvm_memory_used_bytes gauge",
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 6.7108864E7",
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.4677888E7",
      "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 9.6410032E7",
      "jvm_memory_used_bytes_total{area=\"heap\"} 1.0",
      "herald_ingest_records_total{outcome=\"applied\"} 2000.0",
      "herald_ingest_records_total{outcome=\"duplicate\"} 12.0",
      "herald_ingest_records_total{xoutcome=\"applied\"} 5.0",
      "process_uptime_seconds 42.5",
      "");

  @Test
  void sumsTheSamplesOfOneNameWhoseLabelsMatch() {
    assertEquals(6.7108864E7 + 2.4677888E7, NodeManagement.sum(METRICS, "jvm_memory_used_bytes",
        Map.of("area", "heap")), "heap pools only; not nonheap, not another series sharing the prefix");
    assertEquals(2000, NodeManagement.sum(METRICS, "herald_ingest_records_total", Map.of("outcome", "applied")),
        "a label whose name ends like the asked one does not match");
    assertEquals(2017, NodeManagement.sum(METRICS, "herald_ingest_records_total", Map.of()));
    assertEquals(42.5, NodeManagement.sum(METRICS, "process_uptime_seconds", Map.of()), "a sample without labels");
    assertEquals(0, NodeManagement.sum(METRICS, "herald_absent_total", Map.of()));
  }
}
