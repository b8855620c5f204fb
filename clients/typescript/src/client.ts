import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type ClientFrame,
  ClientFrameSchema,
  type Nack,
  NackCode,
  type Push,
  ServerFrameSchema,
  type Welcome,
} from "./gen/herald/device/v1/device_pb.js";
import { type Backoff, RECONNECT_BACKOFF, RESEND_BACKOFF, backoffDelay, checkBackoff } from "./backoff.js";
import { MemoryOutboxStorage, type OutboxStorage } from "./storage.js";

/** A frame's body as `create(ClientFrameSchema, ...)` takes it, e.g. `{ case: "chatSend", value: { conversationId, text } }`. */
export type FrameBody = MessageInitShape<typeof ClientFrameSchema>["body"];

/** How one frame given to {@link HeraldClient.send} ended. */
export type SendOutcome =
  /** Herald acknowledged it: it is durable in Kafka, and the client forgot it. */
  | { kind: "acked"; messageId: string; attempts: number; latencyMs: number }
  /** Herald refused it with a code a resend cannot change (not RETRY_LATER); it was dropped. */
  | { kind: "refused"; messageId: string; attempts: number; code: NackCode; detail: string }
  /** It went out `attempts` times (the limit) without an ack; it was dropped. */
  | { kind: "gaveUp"; messageId: string; attempts: number; lastReason: string }
  /** The client stopped before an ack. It is still in the storage: a client started on it sends it again. */
  | { kind: "abandoned"; messageId: string; attempts: number; reason: string };

/** What the client tells its application. Every callback is optional; keep them short. */
export interface ClientEvents {
  /** A session started: Herald answered hello (a second welcome, with `pushesMissed`, may follow). */
  onConnected?(welcome: Welcome): void;
  /** The connection ended; the client reconnects by itself unless it was closed or ran out of attempts. */
  onDisconnected?(reason: string): void;
  /** The client will not reconnect any more. */
  onStopped?(reason: string): void;
  /**
   * The outbox storage failed to forget an acked frame or to record a push seq. Nothing is lost: a client started on
   * the storage later may resend a frame (Herald applies it once) or ask for pushes it has seen (shown twice).
   */
  onStorageError?(error: unknown): void;
  /** A frame ended (acked, refused, given up or abandoned). */
  onOutcome?(outcome: SendOutcome): void;
  /** Herald answered a frame with a nack, whether or not the client resends it. */
  onNack?(nack: Nack): void;
  /**
   * A push arrived. Pushes are handed over as they arrive, duplicates included (a resumed session may repeat one the
   * app already has): keep the highest `seq` shown, or use {@link HeraldClient.highestPushSeq}.
   */
  onPush?(push: Push): void;
}

/** The part of the WebSocket API the client uses: the browser's, Node 22's global one, or the `ws` package's. */
export interface WebSocketLike {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface HeraldClientOptions {
  /** The WebSocket endpoints, e.g. `wss://herald.example.com/v1/ws`; after a lost connection the next one is tried. */
  endpoints: string[];
  /** The device's JWT, or a function that returns a fresh one for each connection. */
  token: string | (() => string | Promise<string>);
  /** Where unacknowledged frames live: {@link IndexedDbOutboxStorage} in browsers, FileOutboxStorage in Node. */
  storage?: OutboxStorage;
  events?: ClientEvents;
  /** Opens a WebSocket; by default `new WebSocket(url)` (a browser's, or Node 22's global one). */
  webSocket?: WebSocketFactory;
  /** The most unacknowledged frames kept; `send` refuses beyond it. 1,000 by default. */
  outboxCapacity?: number;
  /** The most bytes of unacknowledged frames kept; `send` refuses beyond it. 8 MiB by default. */
  outboxCapacityBytes?: number;
  /** The largest frame `send` takes: Herald refuses larger ones (TOO_LARGE). 64 KiB by default, as Herald's. */
  maxFrameBytes?: number;
  /** The most frames sent and not yet answered on the connection. 16 by default. */
  maxInFlight?: number;
  /** How long to wait for an answer to a frame before sending it again. 10 s by default. */
  ackTimeoutMs?: number;
  /** How many times a frame goes out before the client gives it up. 10 by default. */
  maxAttempts?: number;
  /** The wait before a resend; a RETRY_LATER's `retry_after_ms` is its floor. */
  resendBackoff?: Backoff;
  /** The wait before reconnecting after a lost or refused connection. */
  reconnectBackoff?: Backoff;
  /** Consecutive failed connection attempts after which the client stops. 30 by default. */
  maxReconnectAttempts?: number;
  /** The bound on opening the WebSocket and on the answer to hello. 10 s by default. */
  connectTimeoutMs?: number;
  /** Send a push_ack after this many new pushes, 0 never. 16 by default. */
  pushAckEvery?: number;
  /**
   * Send a heartbeat when nothing else was sent for this long, 0 never. Herald closes a session that sent nothing for
   * its idle timeout (60 s by default: `herald.gateway.websocket.idle-timeout`). 25 s by default.
   */
  heartbeatIntervalMs?: number;
  /** Sent in hello. */
  clientVersion?: string;
}

/** `send` found the outbox at its bound (frames or bytes): nothing was taken; send again after some acks. */
export class OutboxFullError extends Error {
  constructor(readonly bound: string) {
    super(`the outbox is full: ${bound}`);
  }
}

/** storing: waiting for the outbox storage; queued: to be sent; inFlight: sent, no answer yet; waiting: to resend. */
type State = "storing" | "queued" | "inFlight" | "waiting";

interface Pending {
  readonly frame: ClientFrame;
  readonly bytes: Uint8Array;
  readonly order: number;
  readonly submittedAt: number;
  readonly resolve: (outcome: SendOutcome) => void;
  readonly outcome: Promise<SendOutcome>;
  state: State;
  attempts: number;
  lastSentAt: number;
  /** Changes whenever a timer set for this frame becomes stale. */
  generation: number;
  lastFailure: string;
}

/**
 * Herald's device client over WebSocket, with the Java reference client's semantics (load-tests' DeviceClient):
 *
 * - {@link send} stores the frame in the outbox, then sends it; it stays there until its ack. A resend (after
 *   `ackTimeoutMs`, a RETRY_LATER nack, or a lost connection) reuses the same `message_id`, so Herald applies it once.
 *   Older frames go out before newer ones.
 * - RETRY_LATER waits at least `retry_after_ms`, with exponential backoff and jitter; other nack codes cannot succeed
 *   by resending, so the frame is dropped as `refused`. After `maxAttempts` sends without an ack: `gaveUp`.
 * - The connection is re-opened with backoff; each session starts with `hello(last_seq)`, the highest push sequence
 *   seen (kept in the storage across restarts), so Herald resumes pushes after it. Every `pushAckEvery` pushes the
 *   client sends `push_ack` (cumulative, so a lost one is covered by the next).
 * - The token goes in the upgrade's query parameter `access_token` (browsers cannot set headers on a WebSocket).
 * - A heartbeat goes out when nothing else was sent for `heartbeatIntervalMs`, so Herald keeps an idle session open.
 * - Bounded: `outboxCapacity` frames and `outboxCapacityBytes` bytes unacknowledged, `maxInFlight` on the connection.
 *
 * Single-threaded like its callers: every callback runs on the event loop, one at a time.
 */
export class HeraldClient {
  private readonly pending = new Map<string, Pending>();
  /** The bytes of the frames in {@link pending}. */
  private pendingBytes = 0;
  /** Queued frames, ascending by order. */
  private readyToSend: Pending[] = [];
  private nextOrder = 0;
  private inFlight = 0;
  private highestSeq = 0n;
  private pushAckedUpTo = 0n;
  private connection = 0;
  private endpoint = 0;
  private lastReceivedAt = 0;
  /** When the current connection last sent a frame, to send a heartbeat only on a connection otherwise silent. */
  private lastWrittenAt = 0;
  /** The connection whose heartbeats are scheduled. */
  private heartbeatsFor = 0;
  private socket: WebSocketLike | undefined;
  private sessionOpen = false;
  private failedConnects = 0;
  private stopped = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly events: ClientEvents;
  private readonly token: () => string | Promise<string>;
  private readonly settings: Required<Omit<HeraldClientOptions, "events" | "storage" | "token" | "webSocket">>;

  private constructor(
    options: HeraldClientOptions,
    private readonly storage: OutboxStorage,
    private readonly openSocket: WebSocketFactory,
  ) {
    this.events = options.events ?? {};
    this.settings = {
      endpoints: [...options.endpoints],
      outboxCapacity: options.outboxCapacity ?? 1000,
      outboxCapacityBytes: options.outboxCapacityBytes ?? 8 * 1024 * 1024,
      maxFrameBytes: options.maxFrameBytes ?? 64 * 1024,
      maxInFlight: options.maxInFlight ?? 16,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      maxAttempts: options.maxAttempts ?? 10,
      resendBackoff: checkBackoff(options.resendBackoff ?? RESEND_BACKOFF),
      reconnectBackoff: checkBackoff(options.reconnectBackoff ?? RECONNECT_BACKOFF),
      maxReconnectAttempts: options.maxReconnectAttempts ?? 30,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      pushAckEvery: options.pushAckEvery ?? 16,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 25_000,
      clientVersion: options.clientVersion ?? "herald-client-ts",
    };
    const s = this.settings;
    if (s.endpoints.length === 0) {
      throw new RangeError("at least one endpoint is needed");
    }
    if (!(s.outboxCapacity >= 1 && s.outboxCapacityBytes >= 1 && s.maxFrameBytes >= 1 && s.maxInFlight >= 1
      && s.maxAttempts >= 1 && s.maxReconnectAttempts >= 1)) {
      throw new RangeError("outbox capacities, maxFrameBytes, maxInFlight, maxAttempts and maxReconnectAttempts must be >= 1");
    }
    if (!(s.ackTimeoutMs > 0 && s.connectTimeoutMs > 0 && s.pushAckEvery >= 0 && s.heartbeatIntervalMs >= 0)) {
      throw new RangeError("timeouts must be positive, pushAckEvery and heartbeatIntervalMs >= 0");
    }
    this.token = typeof options.token === "function" ? options.token : () => options.token as string;
  }

  /** Starts a client: frames an earlier client left in the storage are sent first, then it connects. */
  static async start(options: HeraldClientOptions): Promise<HeraldClient> {
    const storage = options.storage ?? new MemoryOutboxStorage();
    const factory = options.webSocket ?? defaultWebSocket();
    const client = new HeraldClient(options, storage, factory);
    const stored = await storage.load();
    client.highestSeq = stored.lastPushSeq;
    client.pushAckedUpTo = stored.lastPushSeq;
    for (const bytes of stored.frames) {
      client.queue(client.track(fromBinary(ClientFrameSchema, bytes), bytes));
    }
    client.connect();
    return client;
  }

  /**
   * Takes a frame for delivery. Resolves once the frame is in the outbox (durable), with its `message_id` (a new
   * UUID unless given) and the promise of its outcome; it goes out when a session is open and the in-flight bound
   * allows.
   *
   * @throws OutboxFullError when `outboxCapacity` frames or `outboxCapacityBytes` bytes are unacknowledged (nothing
   *     was taken)
   * @throws RangeError when the frame is over `maxFrameBytes` (Herald would refuse it: TOO_LARGE)
   */
  async send(body: FrameBody, messageId: string = newMessageId()): Promise<{ messageId: string; outcome: Promise<SendOutcome> }> {
    if (this.stopped) {
      throw new Error("the client was stopped");
    }
    if (!messageId || body?.case === undefined || body.case === "hello") {
      throw new RangeError("a frame needs a message_id and a body, and hello is the client's own");
    }
    if (this.pending.has(messageId)) {
      throw new RangeError(`message id ${messageId} is already in the outbox`);
    }
    const frame = create(ClientFrameSchema, { messageId, sentAtMs: BigInt(Date.now()), body });
    const bytes = toBinary(ClientFrameSchema, frame);
    if (bytes.length > this.settings.maxFrameBytes) {
      throw new RangeError(`the frame has ${bytes.length} bytes, more than maxFrameBytes (${this.settings.maxFrameBytes})`);
    }
    if (this.pending.size >= this.settings.outboxCapacity) {
      throw new OutboxFullError(`${this.pending.size} frames, its capacity`);
    }
    if (this.pendingBytes + bytes.length > this.settings.outboxCapacityBytes) {
      throw new OutboxFullError(`${this.pendingBytes} bytes, and ${bytes.length} more would pass its ${this.settings.outboxCapacityBytes}`);
    }
    // Counted in the outbox's bounds from now on, so that sends waiting for the storage cannot overrun them together.
    const entry = this.track(frame, bytes);
    try {
      await this.storage.add(messageId, bytes);
    } catch (error) {
      this.untrack(entry);
      throw error;
    }
    if (this.pending.get(messageId) === entry) { // else the client was closed meanwhile: the entry is abandoned
      this.queue(entry);
      this.pump();
    }
    return { messageId, outcome: entry.outcome };
  }

  /** Frames taken and not yet ended. */
  get unacknowledged(): number {
    return this.pending.size;
  }

  /** The highest push sequence seen (across restarts on the same storage). */
  get highestPushSeq(): bigint {
    return this.highestSeq;
  }

  /** Whether a session is open (hello answered). */
  get connected(): boolean {
    return this.sessionOpen;
  }

  /**
   * Stops: closes the connection and ends every unacknowledged frame as `abandoned`; the frames stay in the storage
   * for the next client on it.
   */
  async close(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const left = this.stop();
    this.closeSocket("client closed");
    for (const entry of left) {
      this.finish(entry, abandoned(entry.frame.messageId, entry.attempts, "client closed"));
    }
    this.events.onStopped?.("client closed");
    await this.storage.close();
  }

  // ---- sending

  /** Takes a frame into the outbox's bounds; it is sent once {@link queue}d. */
  private track(frame: ClientFrame, bytes: Uint8Array): Pending {
    let resolve!: (outcome: SendOutcome) => void;
    const outcome = new Promise<SendOutcome>((r) => (resolve = r));
    const entry: Pending = {
      frame, bytes, order: this.nextOrder++, submittedAt: Date.now(), resolve, outcome,
      state: "storing", attempts: 0, lastSentAt: 0, generation: 0, lastFailure: "no answer yet",
    };
    this.pending.set(frame.messageId, entry);
    this.pendingBytes += bytes.length;
    return entry;
  }

  private untrack(entry: Pending): void {
    if (this.pending.get(entry.frame.messageId) === entry) {
      this.pending.delete(entry.frame.messageId);
      this.pendingBytes -= entry.bytes.length;
    }
    entry.generation++;
  }

  private queue(entry: Pending): void {
    entry.state = "queued";
    let i = this.readyToSend.length;
    while (i > 0 && this.readyToSend[i - 1].order > entry.order) {
      i--;
    }
    this.readyToSend.splice(i, 0, entry);
  }

  /** Sends queued frames, oldest first, while a session is open and the in-flight bound allows. */
  private pump(): void {
    while (this.sessionOpen && this.inFlight < this.settings.maxInFlight && this.readyToSend.length > 0) {
      const entry = this.readyToSend.shift()!;
      if (entry.state === "queued" && this.pending.get(entry.frame.messageId) === entry) {
        this.transmit(entry);
      }
    }
  }

  private transmit(entry: Pending): void {
    entry.state = "inFlight";
    entry.attempts++;
    entry.lastSentAt = Date.now();
    const generation = ++entry.generation;
    this.inFlight++;
    this.write(entry.bytes);
    this.after(this.settings.ackTimeoutMs, () => this.ackTimedOut(entry, generation));
  }

  private write(bytes: Uint8Array): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    try {
      socket.send(bytes);
      this.lastWrittenAt = Date.now();
    } catch (e) {
      this.connectionLost(this.connection, `send failed: ${String(e)}`);
    }
  }

  private ackTimedOut(entry: Pending, generation: number): void {
    if (entry.generation !== generation || entry.state !== "inFlight" || this.stopped) {
      return;
    }
    this.inFlight--;
    entry.lastFailure = `no answer within ${this.settings.ackTimeoutMs} ms`;
    this.retryLater(entry, 0);
    if (this.lastReceivedAt < entry.lastSentAt) {
      // Not one frame since this one went out: the server is frozen or cut off, not slow. TCP may not notice for
      // minutes, so give the connection up; the frame, already rescheduled, goes out on the next one.
      this.connectionLost(this.connection, `nothing received for ${this.settings.ackTimeoutMs} ms`);
      return;
    }
    this.pump();
  }

  /** Schedules a resend, or gives the frame up when it has had its attempts. */
  private retryLater(entry: Pending, floorMs: number): void {
    if (entry.attempts >= this.settings.maxAttempts) {
      this.drop(entry, { kind: "gaveUp", messageId: entry.frame.messageId, attempts: entry.attempts, lastReason: entry.lastFailure });
      return;
    }
    entry.state = "waiting";
    const generation = ++entry.generation;
    const delay = backoffDelay(this.settings.resendBackoff, entry.attempts, floorMs);
    this.after(delay, () => {
      if (entry.generation === generation && entry.state === "waiting" && !this.stopped) {
        this.queue(entry);
        this.pump();
      }
    });
  }

  private drop(entry: Pending, outcome: SendOutcome): void {
    this.untrack(entry);
    this.storage.done(entry.frame.messageId).catch((e) => this.storageFailed(e));
    this.finish(entry, outcome);
  }

  private finish(entry: Pending, outcome: SendOutcome): void {
    entry.resolve(outcome);
    this.events.onOutcome?.(outcome);
  }

  // ---- answers

  private received(onConnection: number, data: unknown): void {
    if (onConnection !== this.connection || this.stopped) {
      return;
    }
    this.lastReceivedAt = Date.now();
    let frame;
    try {
      frame = fromBinary(ServerFrameSchema, toBytes(data));
    } catch (e) {
      this.connectionLost(onConnection, `undecodable server frame: ${String(e)}`);
      return;
    }
    switch (frame.body.case) {
      case "welcome":
        this.sessionOpen = true;
        this.failedConnects = 0;
        this.scheduleHeartbeats(onConnection);
        this.events.onConnected?.(frame.body.value);
        this.pump();
        break;
      case "ack":
        this.acked(frame.body.value.messageId);
        break;
      case "nack":
        this.nacked(frame.body.value);
        break;
      case "push":
        this.pushed(frame.body.value);
        break;
      default:
      // A newer server's frame: ignore what we do not know.
    }
  }

  private acked(messageId: string): void {
    const entry = this.pending.get(messageId);
    if (!entry) {
      return; // a late second ack, or the ack of a push_ack
    }
    if (entry.state === "inFlight") {
      this.inFlight--;
    }
    // An ack is an ack even when it answers an earlier attempt: the frame is durable.
    this.drop(entry, { kind: "acked", messageId, attempts: entry.attempts, latencyMs: Date.now() - entry.submittedAt });
    this.pump();
  }

  private nacked(nack: Nack): void {
    this.events.onNack?.(nack);
    const entry = this.pending.get(nack.messageId);
    if (!entry || entry.state !== "inFlight") {
      return; // not ours (a push_ack), or it answers an attempt we already gave up waiting for
    }
    this.inFlight--;
    if (nack.code === NackCode.RETRY_LATER) {
      entry.lastFailure = `RETRY_LATER: ${nack.detail}`;
      this.retryLater(entry, Number(nack.retryAfterMs));
    } else {
      this.drop(entry, { kind: "refused", messageId: nack.messageId, attempts: entry.attempts, code: nack.code, detail: nack.detail });
    }
    this.pump();
  }

  private pushed(push: Push): void {
    if (push.seq > this.highestSeq) {
      this.highestSeq = push.seq;
      this.storage.pushSeen(push.seq).catch((e) => this.storageFailed(e));
    }
    this.events.onPush?.(push);
    if (this.settings.pushAckEvery > 0 && this.highestSeq - this.pushAckedUpTo >= BigInt(this.settings.pushAckEvery)) {
      this.sendPushAck();
    }
  }

  /** Acknowledges every push seen so far now (the client also does it every `pushAckEvery` pushes). */
  acknowledgePushes(): void {
    if (this.sessionOpen && this.highestSeq > this.pushAckedUpTo) {
      this.sendPushAck();
    }
  }

  private sendPushAck(): void {
    // Cumulative and idempotent, so it needs no outbox: a lost one is covered by the next.
    this.pushAckedUpTo = this.highestSeq;
    this.write(toBinary(ClientFrameSchema, create(ClientFrameSchema, {
      messageId: `push-ack-${newMessageId()}`,
      sentAtMs: BigInt(Date.now()),
      body: { case: "pushAck", value: { upToSeq: this.highestSeq } },
    })));
  }

  private scheduleHeartbeats(onConnection: number): void {
    const interval = this.settings.heartbeatIntervalMs;
    if (interval === 0 || this.heartbeatsFor === onConnection) {
      return;
    }
    this.heartbeatsFor = onConnection;
    const due = () => {
      if (onConnection !== this.connection || !this.sessionOpen || this.stopped) {
        return;
      }
      const silentFor = Date.now() - this.lastWrittenAt;
      if (silentFor >= interval) {
        // Like push_ack, it needs no outbox: a lost one only lets the session close, and the client reconnects.
        this.write(toBinary(ClientFrameSchema, create(ClientFrameSchema, {
          messageId: `heartbeat-${newMessageId()}`,
          sentAtMs: BigInt(Date.now()),
          body: { case: "heartbeat", value: {} },
        })));
        this.after(interval, due);
      } else {
        this.after(interval - silentFor, due);
      }
    };
    this.after(interval, due);
  }

  // ---- connection

  private connect(): void {
    const attempt = ++this.connection;
    const url = this.settings.endpoints[this.endpoint];
    Promise.resolve()
      .then(() => this.token())
      .then((token) => {
        if (attempt !== this.connection || this.stopped) {
          return;
        }
        const socket = this.openSocket(withToken(url, token));
        this.socket = socket;
        socket.binaryType = "arraybuffer";
        socket.onopen = () => this.opened(attempt);
        socket.onmessage = (event) => this.received(attempt, event.data);
        socket.onclose = (event) => this.connectionLost(attempt, `closed: ${event.code} ${event.reason}`);
        socket.onerror = () => this.connectionLost(attempt, "connection error");
        this.after(this.settings.connectTimeoutMs, () => {
          if (attempt === this.connection && !this.sessionOpen) {
            this.connectionLost(attempt, `no session within ${this.settings.connectTimeoutMs} ms`);
          }
        });
      })
      .catch((e) => this.connectionLost(attempt, `cannot connect: ${String(e)}`));
  }

  private opened(attempt: number): void {
    if (attempt !== this.connection || this.stopped) {
      return;
    }
    this.lastReceivedAt = Date.now();
    this.write(toBinary(ClientFrameSchema, create(ClientFrameSchema, {
      messageId: `hello-${newMessageId()}`,
      sentAtMs: BigInt(Date.now()),
      body: { case: "hello", value: { lastSeq: this.highestSeq, clientVersion: this.settings.clientVersion } },
    })));
  }

  /** The connection is gone: in-flight frames go back to the queue, and the client reconnects after a backoff. */
  private connectionLost(attempt: number, reason: string): void {
    if (attempt !== this.connection || this.stopped) {
      return;
    }
    this.closeSocket(reason);
    this.connection++; // late callbacks of the lost connection are ignored from now on
    // The node behind this endpoint may be gone for good: the next attempt goes to the next one.
    this.endpoint = (this.endpoint + 1) % this.settings.endpoints.length;
    const wasOpen = this.sessionOpen;
    this.sessionOpen = false;
    for (const entry of this.pending.values()) {
      if (entry.state === "inFlight") {
        entry.generation++;
        entry.lastFailure = `connection lost: ${reason}`;
        this.queue(entry);
      }
    }
    this.inFlight = 0;
    this.events.onDisconnected?.(reason);
    if (!wasOpen && ++this.failedConnects >= this.settings.maxReconnectAttempts) {
      const left = this.stop();
      for (const entry of left) {
        this.finish(entry, abandoned(entry.frame.messageId, entry.attempts,
          `no session after ${this.failedConnects} connection attempts, last: ${reason}`));
      }
      this.events.onStopped?.(`gave up reconnecting: ${reason}`);
      return;
    }
    const next = this.connection;
    const delay = backoffDelay(this.settings.reconnectBackoff, Math.max(1, this.failedConnects), 0);
    this.after(delay, () => {
      if (next === this.connection && !this.stopped) {
        this.connect();
      }
    });
  }

  private closeSocket(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      // No-ops rather than null: the ws package throws an error event that has no listener (closing while connecting).
      const ignore = () => {};
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = ignore;
      try {
        socket.close(1000, reason.slice(0, 100));
      } catch {
        // Already closing: nothing more to do.
      }
    }
  }

  /** Marks the client stopped and returns the frames that will not get an outcome otherwise. */
  private stop(): Pending[] {
    this.stopped = true;
    this.sessionOpen = false;
    this.connection++;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    const left = [...this.pending.values()];
    left.forEach((entry) => entry.generation++);
    this.pending.clear();
    this.pendingBytes = 0;
    this.readyToSend = [];
    return left;
  }

  private after(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  private storageFailed(error: unknown): void {
    this.events.onStorageError?.(error);
  }
}

function abandoned(messageId: string, attempts: number, reason: string): SendOutcome {
  return { kind: "abandoned", messageId, attempts, reason };
}

function withToken(url: string, token: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}access_token=${encodeURIComponent(token)}`;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError(`expected a binary WebSocket message, got ${typeof data}`);
}

function defaultWebSocket(): WebSocketFactory {
  const WebSocketClass = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!WebSocketClass) {
    throw new Error("no global WebSocket (Node before 22): pass the webSocket option, e.g. (url) => new WebSocket(url) from the ws package");
  }
  return (url) => new WebSocketClass(url);
}

/** A random (version 4) UUID; works outside secure contexts too, where crypto.randomUUID is missing. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
