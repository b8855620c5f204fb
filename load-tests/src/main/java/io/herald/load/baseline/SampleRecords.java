package io.herald.load.baseline;

import com.google.protobuf.ByteString;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Telemetry;
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
        .setFrame(frame(reading))
        .build();
  }

  static TelemetryRecorded telemetryRecorded(long key, long reading) {
    ClientFrame frame = frame(reading);
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

  /** The telemetry frame the load scenarios send. */
  private static ClientFrame frame(long reading) {
    return ClientFrame.newBuilder()
        .setMessageId(UUID.randomUUID().toString())
        .setSentAtMs(System.currentTimeMillis())
        .setTelemetry(Telemetry.newBuilder().putReadings("reading", reading).putReadings("temp", 20 + reading % 10)
            .setRaw(ByteString.copyFromUtf8("load")))
        .build();
  }
}
