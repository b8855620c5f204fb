package io.herald.signals.cluster;

import io.herald.protocol.cluster.v1.IngressAppliedBatch;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.ingress.v1.IngressRecord;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Apply several consecutive records of herald.ingress of one device, in order, in one journal write: telemetry and
 * heartbeats only, the frames whose effect depends on nothing but the device's own state. The ingest pipeline sends it
 * instead of one {@link ApplyRecord} each when a user's records queued up behind each other; the reply, once every
 * effect is durable, has one outcome per record in the same order.
 */
public record ApplyRecords(List<IngressRecord> records, ActorRef<IngressAppliedBatch> replyTo) implements DeviceSignal {

  public ApplyRecords {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("ApplyRecords needs at least one record");
    }
    records = List.copyOf(records);
  }

  /** Whether a batch may carry this frame: telemetry and heartbeats, whose effect depends only on their device. */
  public static boolean carries(ClientFrame frame) {
    return frame.getBodyCase() == ClientFrame.BodyCase.TELEMETRY || frame.getBodyCase() == ClientFrame.BodyCase.HEARTBEAT;
  }
}
