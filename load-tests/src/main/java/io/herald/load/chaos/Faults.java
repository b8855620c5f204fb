package io.herald.load.chaos;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every chaos scenario by name, in the order {@code chaos --list} shows them and {@code chaos all} runs them. */
public final class Faults {

  private Faults() {}

  public static Map<String, Fault> all(FaultTimings timings) {
    var faults = new LinkedHashMap<String, Fault>();
    for (Fault fault : new Fault[] {
        new NodeFaults.Kill(timings),
        InfraFaults.brokerKill(timings),
        InfraFaults.cassandraStop(timings),
        InfraFaults.cassandraKill(timings),
        new NodeFaults.Freeze(timings),
        new NodeFaults.Partition(timings),
        new NodeFaults.RollingRestart(timings),
        new PoisonRecords(timings),
        new SolrKill(timings)}) {
      faults.put(fault.name(), fault);
    }
    return faults;
  }
}
