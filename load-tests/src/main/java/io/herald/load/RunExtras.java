package io.herald.load;

import io.herald.client.DeviceClientSettings;
import io.herald.load.report.FaultReport;
import io.herald.load.report.TimelineSample;
import java.util.List;
import java.util.Optional;

/**
 * What a caller adds to a steady run without a scenario of its own: the chaos harness spreads the devices over the
 * nodes, injects its fault while the load runs, waits for the cluster to be whole before the checker reads, and adds
 * the fault to the report. Every method has a no-op default ({@link #NONE} is the plain steady run).
 */
public interface RunExtras {

  RunExtras NONE = new RunExtras() {};

  /** The client settings of device {@code index} (e.g. its endpoints); called before it starts. */
  default DeviceClientSettings client(int index, DeviceClientSettings settings) {
    return settings;
  }

  /**
   * The run's conversations, created before the offering starts (empty without chat in the mix): a fault that checks
   * the read side finds the run's chat messages through them.
   */
  default void conversationsCreated(List<String> conversationIds) {}

  /** The offering starts now ({@code startedNanos}, the timeline's zero); called once, on the run's thread. */
  default void offeringStarted(long startedNanos) {}

  /** The offering is over and the last acks are in (or the drain bound passed); the checker reads next. */
  default void offeringEnded() {}

  /** What goes to the report besides the summary, once the run is over. */
  default Optional<FaultReport> faultReport(List<TimelineSample> timeline) {
    return Optional.empty();
  }
}
