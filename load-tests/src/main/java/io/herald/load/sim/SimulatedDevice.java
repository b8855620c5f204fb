package io.herald.load.sim;

import io.herald.load.check.AckedMessage;
import io.herald.load.check.PushStream;
import io.herald.client.ClientEvents;
import io.herald.client.DeviceClient;
import io.herald.client.DeviceClientSettings;
import io.herald.client.OutboxFullException;
import io.herald.client.SendOutcome;
import io.herald.load.report.RunMetrics;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.Welcome;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** One simulated device on the reference client: remembers what it was acked and which pushes it saw, for the checker. */
public final class SimulatedDevice implements ClientEvents, AutoCloseable {

  private final String userId;
  private final String deviceId;
  private final RunMetrics metrics;
  private final List<AckedMessage> acked = new ArrayList<>();
  // Which ordered stream each offered message belongs to (the device's own, or its sender's in one conversation).
  private final Map<String, String> streamOf = new HashMap<>();
  private final List<Long> pushSeqs = new ArrayList<>();
  private long resumedFrom = -1;
  private long refused;
  private long gaveUp;
  private long abandoned;
  private volatile boolean connectedOnce;
  private DeviceClient client;

  private SimulatedDevice(String userId, String deviceId, RunMetrics metrics) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.metrics = metrics;
  }

  public static SimulatedDevice start(String userId, String deviceId, DeviceClientSettings settings, RunMetrics metrics,
      ScheduledExecutorService scheduler, HttpClient http) throws IOException {
    var device = new SimulatedDevice(userId, deviceId, metrics);
    device.client = DeviceClient.start(settings, device, scheduler, http);
    return device;
  }

  /** Offers one frame of the device's own stream (telemetry, reported state). */
  public void offer(ClientFrame frame) {
    offer(frame, deviceId);
  }

  /**
   * Offers one frame of {@code stream} (the checker judges order per stream); an arrival the outbox cannot take is
   * counted, not retried (the model is open).
   */
  public void offer(ClientFrame frame, String stream) {
    synchronized (this) {
      streamOf.put(frame.getMessageId(), stream);
    }
    try {
      client.send(frame);
      metrics.sent();
    } catch (OutboxFullException e) {
      metrics.outboxFull();
    } catch (IllegalStateException stopped) {
      // The client gave up reconnecting: the arrival is lost to the run, and counted as such.
      metrics.clientStopped();
    }
  }

  public String userId() {
    return userId;
  }

  public String deviceId() {
    return deviceId;
  }

  public boolean connectedOnce() {
    return connectedOnce;
  }

  public int unacknowledged() {
    return client.unacknowledged();
  }

  public synchronized List<AckedMessage> acked() {
    return List.copyOf(acked);
  }

  /** What was acked, by the stream each message was offered in. */
  public synchronized Map<String, List<AckedMessage>> ackedByStream() {
    var byStream = new HashMap<String, List<AckedMessage>>();
    for (var message : acked) {
      byStream.computeIfAbsent(streamOf.getOrDefault(message.messageId(), deviceId), s -> new ArrayList<>()).add(message);
    }
    return byStream;
  }

  public synchronized PushStream pushes() {
    return new PushStream(Math.max(0, resumedFrom), pushSeqs);
  }

  public synchronized long refused() {
    return refused;
  }

  public synchronized long gaveUp() {
    return gaveUp;
  }

  public synchronized long abandoned() {
    return abandoned;
  }

  @Override
  public synchronized void onConnected(Welcome welcome) {
    if (resumedFrom < 0) {
      resumedFrom = welcome.getResumedFromSeq();
    }
    connectedOnce = true;
  }

  @Override
  public synchronized void onOutcome(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.Acked ok) {
      acked.add(new AckedMessage(ok.messageId(), ok.attempts(), ok.firstSentTick(), ok.lastSentTick(), ok.ackTick()));
      metrics.acked(ok.latencyNanos());
    } else if (outcome instanceof SendOutcome.Refused) {
      refused++;
    } else if (outcome instanceof SendOutcome.GaveUp) {
      gaveUp++;
    } else if (outcome instanceof SendOutcome.Abandoned) {
      abandoned++;
    }
  }

  @Override
  public void onNack(Nack nack) {
    metrics.nacked(nack.getCode());
  }

  @Override
  public void onAttemptNacked(Nack nack, long sinceSentNanos) {
    metrics.nackLatency(sinceSentNanos);
  }

  @Override
  public synchronized void onPush(Push push) {
    pushSeqs.add(push.getSeq());
    if (push.hasChatMessage() && !push.getChatMessage().getSenderUserId().equals(userId)) {
      // The sender's client stamped sent_at_ms in this process: one clock.
      metrics.pushed(TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - push.getChatMessage().getSentAtMs()));
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
