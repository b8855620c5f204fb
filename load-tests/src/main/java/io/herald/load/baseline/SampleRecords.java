package io.herald.load.baseline;

import io.herald.load.sim.LoadFrames;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.events.v1.TelemetryRecorded;
import io.herald.protocol.ingress.v1.IngressRecord;
import io.herald.protocol.ingress.v1.Transport;
import java.util.UUID;

/**
 * Payloads of the same shape and size as what Herald writes for one telemetry frame of the load scenarios: the
 * {@link IngressRecord} the gateway produces to Kafka, and the {@link TelemetryRecorded} event a Device entity
 * persists. Built from the real messages, so a change of the protocol changes the baselines with it.
 */
final class SampleRecords {

  private SampleRecords() {}

  static String userId(long key) {
    return "load-baseline-u" + key;
  }

  static String deviceId(long key) {
    return "load-baseline-d" + key;
  }

  static IngressRecord ingressRecord(long key, long reading) {
    return IngressRecord.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setUserId(userId(key))
        .setDeviceId(deviceId(key))
        .setReceivedAtMs(System.currentTimeMillis())
        .setTransport(Transport.WEBSOCKET)
        .setFrame(LoadFrames.telemetry(reading))
        .build();
  }

  static TelemetryRecorded telemetryRecorded(long key, long reading) {
    ClientFrame frame = LoadFrames.telemetry(reading);
    return TelemetryRecorded.newBuilder()
        .setMessageId(frame.getMessageId())
        .setUserId(userId(key))
        .setDeviceId(deviceId(key))
        .putAllReadings(frame.getTelemetry().getReadingsMap())
        .setRaw(frame.getTelemetry().getRaw())
        .setSentAtMs(frame.getSentAtMs())
        .setReceivedAtMs(System.currentTimeMillis())
        .build();
  }
}
