/**
 * Where a client keeps the frames it has not seen acknowledged, and the highest push sequence it has seen, so that a
 * client started again on the same storage sends them again (with their message ids) and resumes pushes after that
 * sequence. One storage per device, never shared by two clients at once.
 *
 * Calls are made one after the other, in order; a storage applies them in that order.
 */
export interface OutboxStorage {
  /** What an earlier client left: the frames not yet done (oldest first, encoded `ClientFrame`s), and the seq. */
  load(): Promise<StoredOutbox>;
  /** Keeps the frame until {@link done}; durable when the promise resolves. */
  add(messageId: string, frame: Uint8Array): Promise<void>;
  /** Forgets the frame (acked, or dropped for good). */
  done(messageId: string): Promise<void>;
  /** Records that pushes up to `seq` were seen (called only with a higher seq than before). */
  pushSeen(seq: bigint): Promise<void>;
  close(): Promise<void>;
}

export interface StoredOutbox {
  readonly frames: Uint8Array[];
  readonly lastPushSeq: bigint;
}

/** Keeps nothing across restarts: for a client that need not survive its page or process (and for tests). */
export class MemoryOutboxStorage implements OutboxStorage {
  private readonly frames = new Map<string, Uint8Array>();
  private lastPushSeq = 0n;

  async load(): Promise<StoredOutbox> {
    return { frames: [...this.frames.values()], lastPushSeq: this.lastPushSeq };
  }

  async add(messageId: string, frame: Uint8Array): Promise<void> {
    this.frames.set(messageId, frame);
  }

  async done(messageId: string): Promise<void> {
    this.frames.delete(messageId);
  }

  async pushSeen(seq: bigint): Promise<void> {
    if (seq > this.lastPushSeq) {
      this.lastPushSeq = seq;
    }
  }

  async close(): Promise<void> {}
}

const FRAMES = "frames";
const META = "meta";
const LAST_PUSH_SEQ = "lastPushSeq";

/**
 * The browser's durable storage: one IndexedDB database per device (`herald-outbox-<name>`), a store of frames keyed by
 * message id (with the order they were added in) and the highest push sequence seen. IndexedDB runs read-write
 * transactions on the same stores in the order they were created, so the calls apply in order.
 */
export class IndexedDbOutboxStorage implements OutboxStorage {
  private nextOrder = 0;

  private constructor(private readonly db: IDBDatabase) {}

  /** Opens (or creates) the outbox of `name`, e.g. the user and device ids. */
  static async open(name: string, factory: IDBFactory = indexedDB): Promise<IndexedDbOutboxStorage> {
    const request = factory.open(`herald-outbox-${name}`, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(FRAMES);
      request.result.createObjectStore(META);
    };
    return new IndexedDbOutboxStorage(await done(request));
  }

  async load(): Promise<StoredOutbox> {
    const tx = this.db.transaction([FRAMES, META], "readonly");
    const [records, seq] = await Promise.all([
      done(tx.objectStore(FRAMES).getAll()) as Promise<{ order: number; frame: Uint8Array }[]>,
      done(tx.objectStore(META).get(LAST_PUSH_SEQ)) as Promise<string | undefined>,
    ]);
    records.sort((a, b) => a.order - b.order);
    this.nextOrder = records.length === 0 ? 0 : records[records.length - 1].order + 1;
    return { frames: records.map((r) => r.frame), lastPushSeq: seq === undefined ? 0n : BigInt(seq) };
  }

  add(messageId: string, frame: Uint8Array): Promise<void> {
    return this.write(FRAMES, (store) => store.put({ order: this.nextOrder++, frame }, messageId));
  }

  done(messageId: string): Promise<void> {
    return this.write(FRAMES, (store) => store.delete(messageId));
  }

  pushSeen(seq: bigint): Promise<void> {
    return this.write(META, (store) => store.put(seq.toString(), LAST_PUSH_SEQ));
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Resolves when the transaction committed (durable), not merely when the request succeeded. */
  private write(storeName: string, change: (store: IDBObjectStore) => void): Promise<void> {
    const tx = this.db.transaction(storeName, "readwrite", { durability: "strict" });
    change(tx.objectStore(storeName));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  }
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}
