package io.herald.load.check;

import java.util.Map;

/**
 * Everything the checker judges, keyed by device id (pushes: by client, e.g. {@code user/device}).
 *
 * @param ackedByDevice what each device was acked, from its client's outcomes
 * @param appliedByDevice the message ids each device entity applied, in applied order (its journal, by sequence_nr)
 * @param pushesByClient the pushes each client received
 * @param journalByDevice the journal rows behind {@code appliedByDevice}, position for position, where known: the
 *     writer, sequence number and time of every copy of a duplicate
 */
public record CheckInput(
    Map<String, java.util.List<AckedMessage>> ackedByDevice,
    Map<String, java.util.List<String>> appliedByDevice,
    Map<String, PushStream> pushesByClient,
    Map<String, java.util.List<JournalEntry>> journalByDevice) {

  public CheckInput {
    ackedByDevice = Map.copyOf(ackedByDevice);
    appliedByDevice = Map.copyOf(appliedByDevice);
    pushesByClient = Map.copyOf(pushesByClient);
    journalByDevice = Map.copyOf(journalByDevice);
  }

  /** Without journal rows: findings name the message only. */
  public CheckInput(Map<String, java.util.List<AckedMessage>> ackedByDevice,
      Map<String, java.util.List<String>> appliedByDevice, Map<String, PushStream> pushesByClient) {
    this(ackedByDevice, appliedByDevice, pushesByClient, Map.of());
  }

  /** Builds the applied ids from the journal rows themselves. */
  public static CheckInput fromJournal(Map<String, java.util.List<AckedMessage>> ackedByDevice,
      Map<String, java.util.List<JournalEntry>> journalByDevice, Map<String, PushStream> pushesByClient) {
    var applied = new java.util.HashMap<String, java.util.List<String>>();
    journalByDevice.forEach((key, rows) -> applied.put(key, rows.stream().map(JournalEntry::messageId).toList()));
    return new CheckInput(ackedByDevice, applied, pushesByClient, journalByDevice);
  }
}
