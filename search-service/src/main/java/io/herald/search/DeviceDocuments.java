package io.herald.search;

import com.google.protobuf.Message;
import io.herald.protocol.events.v1.DesiredStateChanged;
import io.herald.protocol.events.v1.PresenceChanged;
import io.herald.protocol.events.v1.ReportedStateChanged;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Solr documents of a batch of tagged Device events, in journal order: one document per device with its owner,
 * presence, reported and desired properties ({@code reported.<key>}, {@code desired.<key>}), and
 * {@code applied_seq_nr}, the sequence number of the last event applied. Each changed device's document is written
 * whole, so its properties and {@code applied_seq_nr} never disagree; an event at or below {@code applied_seq_nr} was
 * applied before (a replay) and is skipped, so a replay never takes a device back to an older state. Telemetry
 * changes nothing a search finds and is skipped.
 */
final class DeviceDocuments {

  static final String REPORTED = "reported.";
  static final String DESIRED = "desired.";

  /** A device as its document says. */
  record Device(String deviceId, String owner, boolean online, Map<String, String> reported,
      Map<String, String> desired, long appliedSeqNr) {

    static Device none(String deviceId) {
      return new Device(deviceId, "", false, Map.of(), Map.of(), 0);
    }

    static Device of(Map<String, Object> document) {
      var reported = new TreeMap<String, String>();
      var desired = new TreeMap<String, String>();
      document.forEach((field, value) -> {
        if (field.startsWith(REPORTED)) {
          reported.put(field.substring(REPORTED.length()), String.valueOf(value));
        } else if (field.startsWith(DESIRED)) {
          desired.put(field.substring(DESIRED.length()), String.valueOf(value));
        }
      });
      return new Device(String.valueOf(document.get("id")), String.valueOf(document.getOrDefault("owner", "")),
          Boolean.TRUE.equals(document.get("online")), reported, desired,
          ((Number) document.getOrDefault("applied_seq_nr", 0L)).longValue());
    }

    Map<String, Object> document() {
      var document = new LinkedHashMap<String, Object>();
      document.put("id", deviceId);
      document.put("owner", owner);
      document.put("online", online);
      document.put("applied_seq_nr", appliedSeqNr);
      reported.forEach((key, value) -> document.put(REPORTED + key, value));
      desired.forEach((key, value) -> document.put(DESIRED + key, value));
      return document;
    }
  }

  private DeviceDocuments() {}

  /** A device's id from its persistence id ({@code Device|<id>}). */
  static String deviceId(String persistenceId) {
    return ChatDocuments.conversationId(persistenceId);
  }

  /** The documents to write for these events, given each device's document before them (by device id; missing: none). */
  static List<Map<String, Object>> documents(List<ChatDocuments.Journaled> events, Map<String, Device> before) {
    var current = new LinkedHashMap<String, Device>();
    for (var journaled : events) {
      var deviceId = deviceId(journaled.persistenceId());
      var device = current.containsKey(deviceId) ? current.get(deviceId)
          : before.getOrDefault(deviceId, Device.none(deviceId));
      if (journaled.sequenceNr() <= device.appliedSeqNr()) {
        continue; // applied before: a replay after a restart
      }
      var changed = apply(device, journaled.event(), journaled.sequenceNr());
      if (changed != device) {
        current.put(deviceId, changed);
      }
    }
    // A device seen only after a presence timeout (no owner yet) has nothing a search could find.
    return current.values().stream().filter(device -> !device.owner().isEmpty()).map(Device::document).toList();
  }

  /** The device after the event; the same instance when the event changes nothing searched (telemetry). */
  private static Device apply(Device device, Message event, long seqNr) {
    if (event instanceof ReportedStateChanged changed) {
      return new Device(device.deviceId(), owner(device, changed.getUserId()), device.online(),
          merged(device.reported(), changed.getReportedMap()), device.desired(), seqNr);
    }
    if (event instanceof DesiredStateChanged changed) {
      return new Device(device.deviceId(), owner(device, changed.getUserId()), device.online(), device.reported(),
          merged(device.desired(), changed.getDesiredMap()), seqNr);
    }
    if (event instanceof PresenceChanged changed) {
      return new Device(device.deviceId(), owner(device, changed.getUserId()), changed.getOnline(), device.reported(),
          device.desired(), seqNr);
    }
    return device;
  }

  private static String owner(Device device, String userId) {
    return userId.isEmpty() ? device.owner() : userId;
  }

  /** As the Device entity merges a change: an empty value removes the property. */
  private static Map<String, String> merged(Map<String, String> properties, Map<String, String> changes) {
    var merged = new TreeMap<>(properties);
    changes.forEach((key, value) -> {
      if (value.isEmpty()) {
        merged.remove(key);
      } else {
        merged.put(key, value);
      }
    });
    return merged;
  }
}
