package io.herald.client;

import io.herald.protocol.device.v1.ClientFrame;
import io.herald.protocol.device.v1.Hello;
import io.herald.protocol.device.v1.Nack;
import io.herald.protocol.device.v1.NackCode;
import io.herald.protocol.device.v1.Push;
import io.herald.protocol.device.v1.PushAck;
import io.herald.protocol.device.v1.ServerFrame;
import io.herald.protocol.device.v1.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Herald's reference device client over WebSocket: at-least-once delivery of {@link ClientFrame}s until Herald acks
 * them, and resumable pushes.
 *
 * <ul>
 *   <li>{@link #send} writes the frame to the durable outbox, then sends it; it stays there until its ack. A resend
 *       (after {@code ackTimeout}, a {@code RETRY_LATER} nack, or a lost connection) reuses the same message id, so
 *       Herald applies it once. Older frames go out before newer ones.
 *   <li>{@code RETRY_LATER} waits at least {@code retry_after_ms}, with exponential backoff and jitter; other nack
 *       codes cannot succeed by resending, so the frame is dropped as {@link SendOutcome.Refused}. After {@code
 *       maxAttempts} sends without an ack it is dropped as {@link SendOutcome.GaveUp}.
 *   <li>The connection is re-opened with backoff; each session starts with {@code hello(last_seq)}, the highest push
 *       sequence seen (kept in the outbox directory across restarts), so Herald resumes pushes after it.
 *   <li>Fail-over: each new connection after a lost or refused one goes to the next of the settings' endpoints (round
 *       robin). A connection on which a frame's ack timed out with nothing at all received since that frame went out
 *       is taken as dead (a frozen or cut-off node keeps its TCP connections open) and replaced the same way.
 * </ul>
 *
 * <p>Thread-safe. All state is guarded by the client's monitor; callbacks and timers run on the given scheduler.
 */
public final class DeviceClient implements AutoCloseable {

  private enum State { QUEUED, IN_FLIGHT, WAITING }

  /** A frame between {@code send} and its outcome. */
  private static final class Pending {
    final ClientFrame frame;
    final long order;
    final long submittedNanos;
    final CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
    State state = State.QUEUED;
    int attempts;
    long firstSentTick;
    long lastSentTick;
    long lastSentNanos;
    /**
     * When the last attempt was handed to the socket (set on the WebSocket client's thread): sends queue behind each
     * other in the client, so a burst's last frames reach the socket long after they were queued, and a nack's time
     * is measured from here, not from {@link #lastSentNanos}.
     */
    volatile long lastWrittenNanos;
    /** Changes whenever a timer set for this frame becomes stale. */
    long generation;
    String lastFailure = "no answer yet";

    Pending(ClientFrame frame, long order, long submittedNanos) {
      this.frame = frame;
      this.order = order;
      this.submittedNanos = submittedNanos;
    }
  }

  private final DeviceClientSettings settings;
  private final ClientEvents events;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final HttpClient http;
  private final DurableOutbox outbox;
  private final SplittableRandom random = new SplittableRandom();

  private final Map<String, Pending> pending = new HashMap<>();
  private final PriorityQueue<Pending> readyToSend = new PriorityQueue<>(Comparator.comparingLong(p -> p.order));
  private long nextOrder;
  private long ticks;
  private int inFlight;
  private long highestPushSeq;
  private long pushAckedUpTo;
  private long connection;
  /** Index into the settings' endpoints of the one the current connection goes (or went) to. */
  private int endpoint;
  /** When the current connection last brought a frame, to tell a silent (frozen, cut-off) server from a slow one. */
  private long lastReceivedNanos;
  private WebSocket socket;
  private boolean sessionOpen;
  private int failedConnects;
  private boolean stopped;
  private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);

  private DeviceClient(DeviceClientSettings settings, ClientEvents events, ScheduledExecutorService scheduler,
      HttpClient http, boolean ownsScheduler, DurableOutbox outbox) {
    this.settings = settings;
    this.events = events;
    this.scheduler = scheduler;
    this.http = http;
    this.ownsScheduler = ownsScheduler;
    this.outbox = outbox;
  }

  /**
   * Starts a client with its own scheduler thread and HTTP client. Frames left in the outbox by an earlier client on
   * the same directory are sent first.
   *
   * @throws IOException when the outbox directory cannot be read or created
   */
  public static DeviceClient start(DeviceClientSettings settings, ClientEvents events) throws IOException {
    var scheduler = Executors.newSingleThreadScheduledExecutor(daemon("herald-device-client"));
    var http = HttpClient.newBuilder().executor(scheduler).build();
    return start(settings, events, scheduler, http, true);
  }

  /**
   * Starts a client on shared resources, for many clients in one process: timers and callbacks run on {@code
   * scheduler}, connections come from {@code http} (each HTTP client has its own selector thread). The caller shuts
   * the scheduler down after closing the clients.
   *
   * @throws IOException when the outbox directory cannot be read or created
   */
  public static DeviceClient start(DeviceClientSettings settings, ClientEvents events,
      ScheduledExecutorService scheduler, HttpClient http) throws IOException {
    return start(settings, events, scheduler, http, false);
  }

  private static DeviceClient start(DeviceClientSettings settings, ClientEvents events,
      ScheduledExecutorService scheduler, HttpClient http, boolean ownsScheduler) throws IOException {
    var outbox = DurableOutbox.open(settings.outboxDirectory(), settings.syncEachWrite());
    var client = new DeviceClient(settings, events, scheduler, http, ownsScheduler, outbox);
    synchronized (client) {
      client.highestPushSeq = outbox.lastPushSeq();
      client.pushAckedUpTo = outbox.lastPushSeq();
      for (ClientFrame frame : outbox.pending()) {
        client.enqueue(frame);
      }
      client.connect();
    }
    return client;
  }

  /**
   * Takes a frame for delivery: durable in the outbox when this returns, sent when the session and the in-flight
   * bound allow. The frame must carry a {@code message_id} unique for this device.
   *
   * @return completes with the frame's outcome
   * @throws OutboxFullException when {@code outboxCapacity} frames are unacknowledged (nothing was taken)
   * @throws OutboxWriteException when the outbox cannot be written (nothing was taken)
   * @throws IllegalStateException when the client was stopped
   */
  public synchronized CompletionStage<SendOutcome> send(ClientFrame frame) throws OutboxFullException {
    if (stopped) {
      throw new IllegalStateException("the client was stopped");
    }
    if (frame.getMessageId().isEmpty() || frame.hasHello()) {
      throw new IllegalArgumentException("a frame needs a message_id, and hello is the client's own");
    }
    if (pending.containsKey(frame.getMessageId())) {
      throw new IllegalArgumentException("message id " + frame.getMessageId() + " is already in the outbox");
    }
    if (pending.size() >= settings.outboxCapacity()) {
      throw new OutboxFullException(settings.outboxCapacity());
    }
    outbox.add(frame);
    Pending entry = enqueue(frame);
    pump();
    return entry.outcome;
  }

  /** Frames taken and not yet ended. */
  public synchronized int unacknowledged() {
    return pending.size();
  }

  /** The highest push sequence seen (across restarts on the same outbox directory). */
  public synchronized long highestPushSeq() {
    return highestPushSeq;
  }

  /** Whether a session is open (hello answered). */
  public synchronized boolean connected() {
    return sessionOpen;
  }

  /**
   * Stops: closes the connection and ends every unacknowledged frame as {@link SendOutcome.Abandoned}; the frames
   * stay in the outbox file for the next client on the same directory.
   */
  @Override
  public void close() {
    List<Pending> abandoned;
    WebSocket open;
    synchronized (this) {
      if (stopped) {
        return;
      }
      abandoned = stop();
      open = socket;
      socket = null;
    }
    if (open != null) {
      open.sendClose(WebSocket.NORMAL_CLOSURE, "client closed").orTimeout(2, TimeUnit.SECONDS)
          .exceptionally(e -> null).join();
      open.abort();
    }
    abandoned.forEach(p -> finish(p, new SendOutcome.Abandoned(p.frame.getMessageId(), p.attempts, "client closed")));
    events.onStopped("client closed");
    try {
      outbox.close();
    } catch (IOException ignored) {
      // Every record was written when it was made; there is nothing left to flush.
    }
    if (ownsScheduler) {
      scheduler.shutdown();
    }
  }

  // ---- sending

  private Pending enqueue(ClientFrame frame) {
    var entry = new Pending(frame, nextOrder++, System.nanoTime());
    pending.put(frame.getMessageId(), entry);
    readyToSend.add(entry);
    return entry;
  }

  /** Sends queued frames, oldest first, while a session is open and the in-flight bound allows. */
  private void pump() {
    while (sessionOpen && inFlight < settings.maxInFlight() && !readyToSend.isEmpty()) {
      Pending entry = readyToSend.poll();
      if (entry.state != State.QUEUED || pending.get(entry.frame.getMessageId()) != entry) {
        continue;
      }
      transmit(entry);
    }
  }

  private void transmit(Pending entry) {
    entry.state = State.IN_FLIGHT;
    entry.attempts++;
    entry.lastSentTick = ++ticks;
    entry.lastSentNanos = System.nanoTime();
    if (entry.attempts == 1) {
      entry.firstSentTick = entry.lastSentTick;
    }
    long generation = ++entry.generation;
    inFlight++;
    write(entry.frame, entry);
    scheduler.schedule(() -> ackTimedOut(entry, generation), settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** WebSocket sends must not overlap, so each one waits for the previous one. */
  private void write(ClientFrame frame) {
    write(frame, null);
  }

  /** As {@link #write(ClientFrame)}, noting in {@code attempt} (if any) when the frame was handed to the socket. */
  private void write(ClientFrame frame, Pending attempt) {
    WebSocket target = socket;
    long onConnection = connection;
    ByteBuffer bytes = ByteBuffer.wrap(frame.toByteArray());
    sendChain = sendChain
        .exceptionally(e -> null)
        .thenCompose(ignored -> {
          if (attempt != null) {
            attempt.lastWrittenNanos = System.nanoTime();
          }
          return target.sendBinary(bytes, true);
        })
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            connectionLost(onConnection, "send failed: " + failure);
          }
        });
  }

  private synchronized void ackTimedOut(Pending entry, long generation) {
    if (entry.generation != generation || entry.state != State.IN_FLIGHT || stopped) {
      return;
    }
    inFlight--;
    entry.lastFailure = "no answer within " + settings.ackTimeout().toMillis() + " ms";
    retryLater(entry, 0);
    if (lastReceivedNanos - entry.lastSentNanos < 0) {
      // Not one frame since this one went out: the server is frozen or cut off, not slow. TCP may not notice for
      // minutes, so give the connection up and fail over; the frame, already rescheduled, goes out on the next one.
      connectionLost(connection, "nothing received for " + settings.ackTimeout().toMillis() + " ms");
      return;
    }
    pump();
  }

  /** Schedules a resend, or gives the frame up when it has had its attempts. */
  private void retryLater(Pending entry, long floorMillis) {
    if (entry.attempts >= settings.maxAttempts()) {
      drop(entry, new SendOutcome.GaveUp(entry.frame.getMessageId(), entry.attempts, entry.lastFailure));
      return;
    }
    entry.state = State.WAITING;
    long generation = ++entry.generation;
    Duration delay = settings.resendBackoff().delay(entry.attempts, floorMillis, random);
    scheduler.schedule(() -> resendDue(entry, generation), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void resendDue(Pending entry, long generation) {
    if (entry.generation != generation || entry.state != State.WAITING || stopped) {
      return;
    }
    entry.state = State.QUEUED;
    readyToSend.add(entry);
    pump();
  }

  private void drop(Pending entry, SendOutcome outcome) {
    pending.remove(entry.frame.getMessageId());
    entry.generation++;
    outbox.done(entry.frame.getMessageId());
    finish(entry, outcome);
  }

  private void finish(Pending entry, SendOutcome outcome) {
    entry.outcome.complete(outcome);
    events.onOutcome(outcome);
  }

  // ---- answers

  /** @param arrivedNanos when the frame came off the socket, before it waited for this client's lock */
  private synchronized void received(long onConnection, ServerFrame frame, long arrivedNanos) {
    if (onConnection != connection || stopped) {
      return;
    }
    lastReceivedNanos = System.nanoTime();
    switch (frame.getBodyCase()) {
      case WELCOME -> sessionStarted(frame.getWelcome());
      case ACK -> acked(frame.getAck().getMessageId());
      case NACK -> nacked(frame.getNack(), arrivedNanos);
      case PUSH -> pushed(frame.getPush());
      default -> { /* a newer server's frame: ignore what we do not know */ }
    }
  }

  private void sessionStarted(Welcome welcome) {
    sessionOpen = true;
    failedConnects = 0;
    events.onConnected(welcome);
    pump();
  }

  private void acked(String messageId) {
    Pending entry = pending.get(messageId);
    if (entry == null) {
      return; // a late second ack, or the ack of a push_ack
    }
    if (entry.state == State.IN_FLIGHT) {
      inFlight--;
    }
    // An ack is an ack even when it answers an earlier attempt: the frame is durable.
    long ackTick = ++ticks;
    drop(entry, new SendOutcome.Acked(messageId, entry.attempts, entry.firstSentTick, entry.lastSentTick, ackTick,
        System.nanoTime() - entry.submittedNanos));
    pump();
  }

  private void nacked(Nack nack, long arrivedNanos) {
    events.onNack(nack);
    Pending entry = pending.get(nack.getMessageId());
    if (entry == null || entry.state != State.IN_FLIGHT) {
      return; // not ours (a push_ack), or it answers an attempt we already gave up waiting for
    }
    inFlight--;
    events.onAttemptNacked(nack, arrivedNanos - Math.max(entry.lastSentNanos, entry.lastWrittenNanos));
    if (nack.getCode() == NackCode.RETRY_LATER) {
      entry.lastFailure = "RETRY_LATER: " + nack.getDetail();
      retryLater(entry, nack.getRetryAfterMs());
    } else {
      drop(entry, new SendOutcome.Refused(nack.getMessageId(), entry.attempts, nack.getCode(), nack.getDetail()));
    }
    pump();
  }

  private void pushed(Push push) {
    if (push.getSeq() > highestPushSeq) {
      highestPushSeq = push.getSeq();
      outbox.pushSeen(highestPushSeq);
    }
    events.onPush(push);
    if (settings.pushAckEvery() > 0 && highestPushSeq - pushAckedUpTo >= settings.pushAckEvery()) {
      // Cumulative and idempotent, so it needs no outbox: a lost one is covered by the next.
      pushAckedUpTo = highestPushSeq;
      write(ClientFrame.newBuilder().setMessageId("push-ack-" + UUID.randomUUID())
          .setSentAtMs(System.currentTimeMillis())
          .setPushAck(PushAck.newBuilder().setUpToSeq(highestPushSeq)).build());
    }
  }

  // ---- connection

  private void connect() {
    long attempt = ++connection;
    http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + settings.token())
        .connectTimeout(settings.connectTimeout())
        .buildAsync(settings.endpoints().get(endpoint), new FrameListener(attempt))
        .whenComplete((webSocket, failure) -> {
          if (failure != null) {
            connectionLost(attempt, "cannot connect: " + rootMessage(failure));
          } else {
            opened(attempt, webSocket);
          }
        });
  }

  private synchronized void opened(long attempt, WebSocket webSocket) {
    if (attempt != connection || stopped) {
      webSocket.abort();
      return;
    }
    socket = webSocket;
    lastReceivedNanos = System.nanoTime();
    sendChain = CompletableFuture.completedFuture(null);
    write(ClientFrame.newBuilder().setMessageId("hello-" + UUID.randomUUID())
        .setSentAtMs(System.currentTimeMillis())
        .setHello(Hello.newBuilder().setLastSeq(highestPushSeq).setClientVersion("herald-load-tests")).build());
    scheduler.schedule(() -> helloTimedOut(attempt), settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void helloTimedOut(long attempt) {
    if (attempt == connection && !sessionOpen && socket != null) {
      connectionLost(attempt, "no welcome within " + settings.connectTimeout().toMillis() + " ms");
    }
  }

  /** The connection is gone: in-flight frames go back to the queue, and the client reconnects after a backoff. */
  private synchronized void connectionLost(long attempt, String reason) {
    if (attempt != connection || stopped) {
      return;
    }
    if (socket != null) {
      socket.abort();
      socket = null;
    }
    connection++; // late callbacks of the lost connection are ignored from now on
    // The node behind this endpoint may be gone for good: the next attempt goes to the next one.
    endpoint = (endpoint + 1) % settings.endpoints().size();
    boolean wasOpen = sessionOpen;
    sessionOpen = false;
    for (Pending entry : pending.values()) {
      if (entry.state == State.IN_FLIGHT) {
        entry.state = State.QUEUED;
        entry.generation++;
        entry.lastFailure = "connection lost: " + reason;
        readyToSend.add(entry);
      }
    }
    inFlight = 0;
    events.onDisconnected(reason);
    if (!wasOpen && ++failedConnects >= settings.maxReconnectAttempts()) {
      List<Pending> abandoned = stop();
      abandoned.forEach(p -> finish(p, new SendOutcome.Abandoned(p.frame.getMessageId(), p.attempts,
          "no session after " + failedConnects + " connection attempts, last: " + reason)));
      events.onStopped("gave up reconnecting: " + reason);
      return;
    }
    Duration delay = settings.reconnectBackoff().delay(Math.max(1, failedConnects), 0, random);
    long next = connection;
    scheduler.schedule(() -> reconnectDue(next), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void reconnectDue(long expected) {
    if (expected == connection && !stopped) {
      connect();
    }
  }

  /** Marks the client stopped and returns the frames that will not get an outcome otherwise. */
  private List<Pending> stop() {
    stopped = true;
    sessionOpen = false;
    connection++;
    var abandoned = new ArrayList<>(pending.values());
    abandoned.forEach(p -> p.generation++);
    pending.clear();
    readyToSend.clear();
    return abandoned;
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      var thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Reassembles binary messages into frames and hands them to the client; ignores a connection that was replaced. */
  private final class FrameListener implements WebSocket.Listener {
    private final long onConnection;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    FrameListener(long onConnection) {
      this.onConnection = onConnection;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      long arrivedNanos = System.nanoTime();
      var bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        byte[] message = partial.toByteArray();
        partial.reset();
        try {
          received(onConnection, ServerFrame.parseFrom(message), arrivedNanos);
        } catch (IOException e) {
          connectionLost(onConnection, "undecodable server frame: " + e.getMessage());
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      webSocket.request(1); // Herald speaks binary only; text is not ours to interpret
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      connectionLost(onConnection, "closed by Herald: " + statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      connectionLost(onConnection, "connection error: " + rootMessage(error));
    }
  }
}
