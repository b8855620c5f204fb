package io.herald.load.check;

import java.util.Map;

/**
 * Everything the checker judges, keyed by device id (pushes: by client, e.g. {@code user/device}).
 *
 * @param ackedByDevice what each device was acked, from its client's outcomes
 * @param appliedByDevice the message ids each device entity applied, in applied order (its journal, by sequence_nr)
 * @param pushesByClient the pushes each client received
 */
public record CheckInput(
    Map<String, java.util.List<AckedMessage>> ackedByDevice,
    Map<String, java.util.List<String>> appliedByDevice,
    Map<String, PushStream> pushesByClient) {

  public CheckInput {
    ackedByDevice = Map.copyOf(ackedByDevice);
    appliedByDevice = Map.copyOf(appliedByDevice);
    pushesByClient = Map.copyOf(pushesByClient);
  }
}
