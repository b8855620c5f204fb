// Node-only parts (node:fs): import from "@herald/client/node", so that a browser bundle never pulls them in.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { ClientFrameSchema } from "./gen/herald/device/v1/device_pb.js";
import type { OutboxStorage, StoredOutbox } from "./storage.js";

const LOG_NAME = "outbox.log";
const FRAME = 1;
const DONE = 2;
const PUSH_SEQ = 3;
const MIN_RECORDS_BEFORE_COMPACTION = 1024;

/**
 * Node's durable storage: an append-only log of records `[kind:1][length:4, big-endian][payload]` in a directory of
 * the device's own (the same layout as the Java reference client's DurableOutbox): a frame was added, a frame is done
 * (payload = message id), the highest push sequence seen. Opening replays it and cuts off a torn record at the end (a
 * crash mid-write). The log is rewritten with only the live frames when it holds mostly dead ones, through a
 * temporary file and a rename, so a crash leaves either the old or the new log.
 *
 * Writes are synchronous, so each call is on disk (in the OS's cache; with `syncEachWrite` on the device) when it
 * returns, and calls apply in order.
 */
export class FileOutboxStorage implements OutboxStorage {
  private readonly live = new Map<string, Uint8Array>();
  private lastPushSeq = 0n;
  private recordsInLog = 0;
  private fd = -1;

  private constructor(private readonly log: string, private readonly syncEachWrite: boolean) {}

  /**
   * @param syncEachWrite force every record to the disk (survives power loss, costs a flush per frame); without it a
   *     record survives a crash of the process but not of the machine
   */
  static open(directory: string, syncEachWrite = false): FileOutboxStorage {
    mkdirSync(directory, { recursive: true });
    const storage = new FileOutboxStorage(join(directory, LOG_NAME), syncEachWrite);
    storage.replay();
    storage.fd = openSync(storage.log, "a");
    return storage;
  }

  async load(): Promise<StoredOutbox> {
    return { frames: [...this.live.values()], lastPushSeq: this.lastPushSeq };
  }

  async add(messageId: string, frame: Uint8Array): Promise<void> {
    this.write(FRAME, frame);
    this.live.set(messageId, frame);
  }

  async done(messageId: string): Promise<void> {
    if (this.live.delete(messageId)) {
      this.write(DONE, new TextEncoder().encode(messageId));
      this.compactIfMostlyDead();
    }
  }

  async pushSeen(seq: bigint): Promise<void> {
    if (seq > this.lastPushSeq) {
      this.write(PUSH_SEQ, seqBytes(seq));
      this.lastPushSeq = seq;
    }
  }

  async close(): Promise<void> {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private write(kind: number, payload: Uint8Array): void {
    writeSync(this.fd, record(kind, payload));
    if (this.syncEachWrite) {
      fsyncSync(this.fd);
    }
    this.recordsInLog++;
  }

  private replay(): void {
    if (!existsSync(this.log)) {
      return;
    }
    const bytes = readFileSync(this.log);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = 0;
    while (position + 5 <= bytes.length) {
      const kind = view.getUint8(position);
      const length = view.getInt32(position + 1);
      if (length < 0 || position + 5 + length > bytes.length) {
        break;
      }
      this.apply(kind, bytes.subarray(position + 5, position + 5 + length));
      this.recordsInLog++;
      position += 5 + length;
    }
    // A torn tail would make every later record unreadable: cut it off before appending again.
    if (position < bytes.length) {
      truncateSync(this.log, position);
    }
  }

  private apply(kind: number, payload: Uint8Array): void {
    switch (kind) {
      case FRAME: {
        const copy = new Uint8Array(payload); // a copy, and a plain Uint8Array rather than a Buffer
        this.live.set(fromBinary(ClientFrameSchema, copy).messageId, copy);
        break;
      }
      case DONE:
        this.live.delete(new TextDecoder().decode(payload));
        break;
      case PUSH_SEQ: {
        const seq = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigInt64(0);
        if (seq > this.lastPushSeq) {
          this.lastPushSeq = seq;
        }
        break;
      }
      default:
        throw new Error(`unknown record kind ${kind} in ${this.log}`);
    }
  }

  private compactIfMostlyDead(): void {
    if (this.recordsInLog < Math.max(MIN_RECORDS_BEFORE_COMPACTION, 4 * (this.live.size + 1))) {
      return;
    }
    const fresh = `${this.log}.compacting`;
    const out = openSync(fresh, "w");
    let records = 0;
    try {
      if (this.lastPushSeq > 0n) {
        writeSync(out, record(PUSH_SEQ, seqBytes(this.lastPushSeq)));
        records++;
      }
      for (const frame of this.live.values()) {
        writeSync(out, record(FRAME, frame));
        records++;
      }
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    closeSync(this.fd);
    renameSync(fresh, this.log);
    this.fd = openSync(this.log, "a");
    this.recordsInLog = records;
  }
}

function record(kind: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, kind);
  view.setInt32(1, payload.length);
  bytes.set(payload, 5);
  return bytes;
}

function seqBytes(seq: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, seq);
  return bytes;
}
