package io.herald.load.sessions;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Heartbeat;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One device that keeps a session open and otherwise stays idle: connect, {@code hello}, then a {@code heartbeat}
 * every interval (the first at a random point of the first interval, so a worker's sessions do not beat together).
 * It does not reconnect: a session the server closes is counted, which is what the scenario measures. Much lighter
 * than the reference client (no outbox file, no resends), so one process can hold thousands.
 */
final class IdleSession implements WebSocket.Listener {

  private enum State { CONNECTING, OPEN, ENDED }

  private final String token;
  private final SessionCounters counters;
  private final ScheduledExecutorService scheduler;
  private final Duration heartbeatInterval;
  private final Runnable settled;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private State state = State.CONNECTING;
  private long connectStartedNanos;
  private WebSocket socket;
  private ScheduledFuture<?> heartbeats;
  private long heartbeatNumber;
  private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);

  /** @param settled runs once, when the session is welcomed or has failed to open */
  IdleSession(String token, SessionCounters counters, ScheduledExecutorService scheduler, Duration heartbeatInterval,
      Runnable settled) {
    this.token = token;
    this.counters = counters;
    this.scheduler = scheduler;
    this.heartbeatInterval = heartbeatInterval;
    this.settled = settled;
  }

  synchronized void connect(HttpClient http, URI url, Duration timeout) {
    connectStartedNanos = System.nanoTime();
    counters.started.incrementAndGet();
    http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .connectTimeout(timeout)
        .buildAsync(url, this)
        .whenComplete((webSocket, failure) -> {
          if (failure != null) {
            failedToOpen();
          } else {
            handshakeDone(webSocket);
          }
        });
    // Bounds the handshake and the welcome together; a session that has not been welcomed by then has failed.
    scheduler.schedule(this::welcomeTimedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends one traffic frame, whose ack the worker's counters time. */
  synchronized void send(ClientFrame frame) {
    if (state != State.OPEN) {
      return;
    }
    counters.trafficPending.put(frame.getMessageId(), System.nanoTime());
    counters.trafficSent.incrementAndGet();
    write(frame);
  }

  synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  /** Ends the session from this side: a normal close, not counted as closed by the server. */
  void close() {
    WebSocket open;
    synchronized (this) {
      if (state == State.ENDED) {
        return;
      }
      state = State.ENDED;
      cancelHeartbeats();
      open = socket;
    }
    if (open != null) {
      open.sendClose(WebSocket.NORMAL_CLOSURE, "scenario over");
    }
  }

  /** Drops the connection without a close handshake (after {@link #close()} had its chance). */
  synchronized void abort() {
    state = State.ENDED;
    if (socket != null) {
      socket.abort();
    }
  }

  private synchronized void handshakeDone(WebSocket webSocket) {
    if (state != State.CONNECTING) {
      webSocket.abort();
      return;
    }
    socket = webSocket;
    write(ClientFrame.newBuilder().setMessageId("hello").setSentAtMs(System.currentTimeMillis())
        .setHello(Hello.newBuilder().setLastSeq(0).setClientVersion("herald-load-sessions")).build());
  }

  private synchronized void failedToOpen() {
    if (state != State.CONNECTING) {
      return;
    }
    state = State.ENDED;
    counters.failed.incrementAndGet();
    if (socket != null) {
      socket.abort();
    }
    settled.run();
  }

  private void welcomeTimedOut() {
    failedToOpen();
  }

  private synchronized void welcomed() {
    if (state != State.CONNECTING) {
      return;
    }
    state = State.OPEN;
    counters.opened.incrementAndGet();
    counters.recordConnect((System.nanoTime() - connectStartedNanos) / 1_000);
    settled.run();
    long interval = heartbeatInterval.toMillis();
    heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, ThreadLocalRandom.current().nextLong(interval),
        interval, TimeUnit.MILLISECONDS);
  }

  private synchronized void heartbeat() {
    if (state != State.OPEN) {
      return;
    }
    counters.heartbeatsSent.incrementAndGet();
    write(ClientFrame.newBuilder().setMessageId("hb-" + ++heartbeatNumber).setSentAtMs(System.currentTimeMillis())
        .setHeartbeat(Heartbeat.getDefaultInstance()).build());
  }

  private synchronized void endedByServer() {
    if (state == State.CONNECTING) {
      failedToOpen();
      return;
    }
    if (state == State.OPEN) {
      state = State.ENDED;
      counters.closedByServer.incrementAndGet();
      cancelHeartbeats();
    }
  }

  private void cancelHeartbeats() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }

  /** WebSocket sends must not overlap: each waits for the one before (synchronous continuations, no new threads). */
  private void write(ClientFrame frame) {
    WebSocket target = socket;
    ByteBuffer bytes = ByteBuffer.wrap(frame.toByteArray());
    sendChain = sendChain.exceptionally(failure -> null).thenCompose(ignored -> target.sendBinary(bytes, true));
  }

  private void received(ServerFrame frame) {
    switch (frame.getBodyCase()) {
      case WELCOME -> welcomed();
      case ACK -> answered(frame.getAck().getMessageId(), true);
      case NACK -> answered(frame.getNack().getMessageId(), false);
      case PUSH -> counters.pushes.incrementAndGet();
      default -> { /* a newer server's frame */ }
    }
  }

  private void answered(String messageId, boolean acked) {
    if (messageId.startsWith("hb-")) {
      (acked ? counters.heartbeatsAcked : counters.heartbeatsNacked).incrementAndGet();
      return;
    }
    Long sentNanos = counters.trafficPending.remove(messageId);
    if (sentNanos == null) {
      return;
    }
    if (acked) {
      counters.trafficAcked.incrementAndGet();
      counters.recordTraffic((System.nanoTime() - sentNanos) / 1_000);
    } else {
      counters.trafficNacked.incrementAndGet();
    }
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] message = null;
    synchronized (partial) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        message = partial.toByteArray();
        partial.reset();
      }
    }
    if (message != null) {
      try {
        received(ServerFrame.parseFrom(message));
      } catch (IOException e) {
        endedByServer();
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    endedByServer();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    endedByServer();
  }
}
