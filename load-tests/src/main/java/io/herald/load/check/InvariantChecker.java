package io.herald.load.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Computes Herald's delivery invariants from evidence, never from assumptions: what clients were acked, what the
 * entities applied, what pushes arrived.
 *
 * <p><b>Order.</b> Herald applies a device's messages in the order it accepted them into Kafka. A client observes
 * that order only partly, so the checker demands exactly what the client can know, per device:
 *
 * <ol>
 *   <li>If X was acked before Y first went out, X was in Kafka before any copy of Y: X must be applied first.
 *   <li>If X and Y were each acked on their only attempt, and X went out first, they went over one connection in
 *       that order and Herald hands one connection's frames to Kafka in arrival order: X must be applied first.
 * </ol>
 *
 * A message that went out more than once, concurrently with others, may legitimately land before or after them (an
 * earlier copy may have reached Kafka before its ack was lost), so nothing more is demanded. For a client with one
 * frame in flight, rule 1 is the whole send order.
 *
 * <p>A message is out of order when some message that had to come first was applied after it; each such message is
 * counted once.
 */
public final class InvariantChecker {

  public static final int MAX_FINDINGS = 100;

  private InvariantChecker() {}

  public static CheckResult check(CheckInput input) {
    var findings = new Findings();
    long acked = 0;
    long applied = 0;
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long appliedNotAcked = 0;

    var devices = new TreeSet<String>(input.ackedByDevice().keySet());
    devices.addAll(input.appliedByDevice().keySet());
    for (String device : devices) {
      List<AckedMessage> ackedHere = distinctById(input.ackedByDevice().getOrDefault(device, List.of()));
      List<String> appliedHere = input.appliedByDevice().getOrDefault(device, List.of());
      acked += ackedHere.size();
      applied += appliedHere.size();

      List<JournalEntry> rows = input.journalByDevice().getOrDefault(device, List.of());
      Map<String, Integer> firstPosition = new HashMap<>();
      for (int i = 0; i < appliedHere.size(); i++) {
        String id = appliedHere.get(i);
        if (firstPosition.putIfAbsent(id, i) != null) {
          duplicates++;
          findings.add(new Finding(Finding.Kind.DUPLICATE, device, id,
              rows.size() == appliedHere.size() ? rows.stream().filter(row -> row.messageId().equals(id)).toList()
                  : List.of()));
        }
      }
      Set<String> ackedIds = new HashSet<>();
      List<AckedMessage> appliedAcked = new ArrayList<>();
      for (AckedMessage message : ackedHere) {
        ackedIds.add(message.messageId());
        if (firstPosition.containsKey(message.messageId())) {
          appliedAcked.add(message);
        } else {
          lost++;
          findings.add(Finding.Kind.LOST, device, message.messageId());
        }
      }
      for (String id : firstPosition.keySet()) {
        if (!ackedIds.contains(id)) {
          appliedNotAcked++;
        }
      }
      for (String id : outOfOrder(appliedAcked, firstPosition)) {
        outOfOrder++;
        findings.add(Finding.Kind.OUT_OF_ORDER, device, id);
      }
    }

    long pushesReceived = 0;
    long pushGaps = 0;
    long pushDuplicates = 0;
    for (var stream : new java.util.TreeMap<>(input.pushesByClient()).entrySet()) {
      List<Long> seqs = stream.getValue().receivedSeqs();
      pushesReceived += seqs.size();
      var seen = new TreeSet<Long>();
      for (Long seq : seqs) {
        if (!seen.add(seq)) {
          pushDuplicates++;
          findings.add(Finding.Kind.PUSH_DUPLICATE, stream.getKey(), String.valueOf(seq));
        }
      }
      long expected = stream.getValue().resumedFrom() + 1;
      for (Long seq : seen.tailSet(expected)) {
        for (long missing = expected; missing < seq; missing++) {
          pushGaps++;
          findings.add(Finding.Kind.PUSH_GAP, stream.getKey(), String.valueOf(missing));
        }
        expected = seq + 1;
      }
    }
    return new CheckResult(acked, applied, lost, duplicates, outOfOrder, appliedNotAcked, pushesReceived, pushGaps,
        pushDuplicates, findings.list);
  }

  /** The ids of applied, acked messages applied before a message that had to come first (see the class comment). */
  private static Set<String> outOfOrder(List<AckedMessage> messages, Map<String, Integer> position) {
    var late = new TreeSet<String>();

    // Rule 1: the latest position among messages acked before Y first went out must be before Y.
    var byAck = messages.stream().sorted(Comparator.comparingLong(AckedMessage::ackTick)).toList();
    long[] ackTicks = byAck.stream().mapToLong(AckedMessage::ackTick).toArray();
    int[] latestPositionUpTo = new int[byAck.size()];
    int latest = -1;
    for (int i = 0; i < byAck.size(); i++) {
      latest = Math.max(latest, position.get(byAck.get(i).messageId()));
      latestPositionUpTo[i] = latest;
    }
    for (AckedMessage y : messages) {
      int ackedBefore = lowerBound(ackTicks, y.firstSentTick());
      if (ackedBefore > 0 && latestPositionUpTo[ackedBefore - 1] > position.get(y.messageId())) {
        late.add(y.messageId());
      }
    }

    // Rule 2: among messages acked on their only attempt, the applied order is the send order.
    int latestSingle = -1;
    for (AckedMessage y : messages.stream().filter(m -> m.attempts() == 1)
        .sorted(Comparator.comparingLong(AckedMessage::firstSentTick)).toList()) {
      int at = position.get(y.messageId());
      if (latestSingle > at) {
        late.add(y.messageId());
      }
      latestSingle = Math.max(latestSingle, at);
    }
    return late;
  }

  /** How many of the sorted {@code values} are below {@code key}. */
  private static int lowerBound(long[] values, long key) {
    int found = Arrays.binarySearch(values, key);
    if (found < 0) {
      return -found - 1;
    }
    while (found > 0 && values[found - 1] == key) {
      found--;
    }
    return found;
  }

  private static List<AckedMessage> distinctById(List<AckedMessage> messages) {
    var seen = new HashSet<String>();
    return messages.stream().filter(m -> seen.add(m.messageId())).toList();
  }

  private static final class Findings {
    final List<Finding> list = new ArrayList<>();

    void add(Finding.Kind kind, String key, String subject) {
      add(new Finding(kind, key, subject));
    }

    void add(Finding finding) {
      if (list.size() < MAX_FINDINGS) {
        list.add(finding);
      }
    }
  }
}
