package io.herald.client.coap;

import io.herald.client.ClientEvents;
import io.herald.client.DeviceClient;
import io.herald.client.DeviceClientSettings;
import io.herald.client.DurableOutbox;
import io.herald.client.OutboxFullException;
import io.herald.client.OutboxWriteException;
import io.herald.client.SendOutcome;
import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * The reference client over CoAP, for constrained devices: the same promise as {@link DeviceClient} (a frame stays in
 * the durable outbox until Herald acks it, resends reuse its message id, {@code RETRY_LATER} is honoured with backoff,
 * everything bounded), with CoAP's own rhythm: one confirmable POST to {@code /v1/messages} at a time (RFC 7252's
 * NSTART = 1), so frames go out and are applied in the order of {@link #send}. Pushes come from observing
 * {@code /v1/inbox}; every {@code pushAckEvery} pushes a {@code push_ack} goes out like any frame.
 *
 * <p>Of {@link DeviceClientSettings} it uses the first endpoint ({@code coap://host:port}), token, outbox, ack timeout
 * (per request), attempts, resend backoff and push-ack interval; there is no connection, so no reconnect settings.
 * Callbacks run on the client's scheduler, one at a time.
 */
public final class CoapDeviceClient implements AutoCloseable {

  /** RFC 7252: a Uri-Query option holds at most 255 bytes. */
  static final int MAX_OPTION_BYTES = 255;

  private final DeviceClientSettings settings;
  private final ClientEvents events;
  private final ScheduledExecutorService scheduler;
  private final DurableOutbox outbox;
  private final CoapClient messages;
  private final CoapClient inbox;
  private final ArrayDeque<ClientFrame> queue = new ArrayDeque<>();
  private final Map<String, Long> firstSendTick = new HashMap<>();
  private final Map<String, Long> sentAtNanos = new HashMap<>();
  private final java.util.List<ClientFrame> restored;
  private CoapObserveRelation observation;
  private ClientFrame current;
  private int attempts;
  private long tick;
  private long pushesSinceAck;
  private boolean closed;

  private CoapDeviceClient(DeviceClientSettings settings, ClientEvents events, ScheduledExecutorService scheduler,
      DurableOutbox outbox) {
    this.settings = settings;
    this.events = events;
    this.scheduler = scheduler;
    this.outbox = outbox;
    this.restored = outbox.pending();
    CoapConfig.register();
    UdpConfig.register();
    String option = "access_token=" + settings.token();
    if (option.length() > MAX_OPTION_BYTES) {
      throw new IllegalArgumentException("the token is too long for CoAP: access_token=<token> is one Uri-Query option "
          + "of at most " + MAX_OPTION_BYTES + " bytes, this one has " + option.length() + " (shorter user and device ids "
          + "make a shorter token)");
    }
    String query = "?" + option;
    URI base = settings.endpoints().get(0);
    this.messages = new CoapClient(base.resolve("/v1/messages") + query).setTimeout(settings.ackTimeout().toMillis());
    this.inbox = new CoapClient(base.resolve("/v1/inbox") + query);
  }

  /** Opens the outbox (frames left from an earlier client go first), starts observing the inbox, starts sending. */
  public static CoapDeviceClient start(DeviceClientSettings settings, ClientEvents events,
      ScheduledExecutorService scheduler) throws IOException {
    var client = new CoapDeviceClient(settings, events, scheduler,
        DurableOutbox.open(settings.outboxDirectory(), settings.syncEachWrite()));
    client.onScheduler(client::begin);
    return client;
  }

  /**
   * Takes a frame for delivery: returns once it is in the outbox.
   *
   * @throws OutboxFullException when {@code outboxCapacity} frames wait for their acks
   */
  public void send(ClientFrame frame) throws OutboxFullException {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the client is closed");
      }
      if (outbox.size() >= settings.outboxCapacity()) {
        throw new OutboxFullException(settings.outboxCapacity());
      }
      outbox.add(frame);
      sentAtNanos.put(frame.getMessageId(), System.nanoTime());
    }
    onScheduler(() -> {
      queue.addLast(frame);
      sendNext();
    });
  }

  /** Frames taken and not yet ended. */
  public synchronized int unacknowledged() {
    return outbox.size();
  }

  /** Runs on the scheduler; a failure is told, never swallowed by the executor. */
  private void onScheduler(Runnable task) {
    scheduler.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        events.onDisconnected("the CoAP client failed: " + e);
      }
    });
  }

  private void begin() {
    // Frames of an earlier client first; those taken since start() are queued by their own send().
    queue.addAll(restored);
    observation = inbox.observe(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        onScheduler(() -> pushed(response));
      }

      @Override
      public void onError() {
        onScheduler(() -> events.onDisconnected("the inbox observation failed"));
      }
    });
    sendNext();
  }

  private void pushed(CoapResponse response) {
    ServerFrame frame;
    try {
      frame = ServerFrame.parseFrom(response.getPayload());
    } catch (IOException e) {
      return;
    }
    if (frame.hasWelcome()) {
      events.onConnected(frame.getWelcome());
    } else if (frame.hasPush()) {
      synchronized (this) {
        outbox.pushSeen(frame.getPush().getSeq());
      }
      events.onPush(frame.getPush());
      if (settings.pushAckEvery() > 0 && ++pushesSinceAck >= settings.pushAckEvery()) {
        pushesSinceAck = 0;
        try {
          send(ClientFrame.newBuilder().setMessageId(UUID.randomUUID().toString())
              .setPushAck(PushAck.newBuilder().setUpToSeq(frame.getPush().getSeq())).build());
        } catch (OutboxFullException | IllegalStateException full) {
          // push_ack is cumulative: the next one covers this one.
        }
      }
    }
  }

  /** Posts the oldest frame, unless one is already on its way. */
  private void sendNext() {
    if (current != null || closed || queue.isEmpty()) {
      return;
    }
    current = queue.pollFirst();
    attempts = 0;
    post();
  }

  private void post() {
    attempts++;
    long sentTick = ++tick;
    firstSendTick.putIfAbsent(current.getMessageId(), sentTick);
    var frame = current;
    messages.post(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        onScheduler(() -> answered(frame, sentTick, response));
      }

      @Override
      public void onError() {
        onScheduler(() -> answered(frame, sentTick, null));
      }
    }, frame.toByteArray(), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
  }

  private void answered(ClientFrame frame, long sentTick, CoapResponse response) {
    if (closed || current != frame) {
      return;
    }
    ServerFrame answer = parse(response);
    if (response != null && response.getCode() == ResponseCode.CHANGED && answer != null && answer.hasAck()) {
      end(new SendOutcome.Acked(frame.getMessageId(), attempts, firstSendTick.get(frame.getMessageId()), sentTick,
          ++tick, System.nanoTime() - sentAtNanos.getOrDefault(frame.getMessageId(), System.nanoTime())));
      return;
    }
    long floorMillis = 0;
    if (answer != null && answer.hasNack()) {
      events.onNack(answer.getNack());
      if (answer.getNack().getCode() != NackCode.RETRY_LATER) {
        end(new SendOutcome.Refused(frame.getMessageId(), attempts, answer.getNack().getCode(),
            answer.getNack().getDetail()));
        return;
      }
      floorMillis = answer.getNack().getRetryAfterMs();
    }
    if (attempts >= settings.maxAttempts()) {
      end(new SendOutcome.GaveUp(frame.getMessageId(), attempts,
          response == null ? "no answer within " + settings.ackTimeout() : "answered " + response.getCode()));
      return;
    }
    var wait = settings.resendBackoff().delay(attempts, floorMillis, ThreadLocalRandom.current());
    scheduler.schedule(() -> onScheduler(() -> {
      if (!closed && current == frame) {
        post();
      }
    }), wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static ServerFrame parse(CoapResponse response) {
    if (response == null || response.getPayload() == null) {
      return null;
    }
    try {
      return ServerFrame.parseFrom(response.getPayload());
    } catch (IOException e) {
      return null;
    }
  }

  private void end(SendOutcome outcome) {
    synchronized (this) {
      outbox.done(outcome.messageId());
      sentAtNanos.remove(outcome.messageId());
    }
    firstSendTick.remove(outcome.messageId());
    current = null;
    events.onOutcome(outcome);
    sendNext();
  }

  /** Stops; frames not acked stay in the outbox (reported as {@link SendOutcome.Abandoned}) for the next client. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (observation != null) {
      observation.proactiveCancel();
    }
    messages.shutdown();
    inbox.shutdown();
    synchronized (this) {
      for (var frame : outbox.pending()) {
        events.onOutcome(new SendOutcome.Abandoned(frame.getMessageId(), 0, "the client was closed"));
      }
      try {
        outbox.close();
      } catch (IOException e) {
        throw new OutboxWriteException("could not close the outbox", e);
      }
    }
  }
}
