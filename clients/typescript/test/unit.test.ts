// Parts that need no node: the backoff's floor, the outbox's bounds, the file outbox's replay.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { webSocket } from "./support.js";
import { ClientFrameSchema, HeraldClient, OutboxFullError, RESEND_BACKOFF, backoffDelay } from "../src/index.js";
import { FileOutboxStorage } from "../src/node.js";

test("a retry_after_ms floor is honoured even past the backoff's maximum, and never undercut by jitter", () => {
  for (const random of [0, 0.5, 0.999]) {
    assert.ok(backoffDelay(RESEND_BACKOFF, 1, 30_000, () => random) >= 30_000);
  }
  assert.equal(backoffDelay(RESEND_BACKOFF, 1, 0, () => 0.5), 100);
  assert.equal(backoffDelay(RESEND_BACKOFF, 20, 0, () => 0.5), 10_000);
});

test("the file outbox gives back what was not done, and the highest push seq, after a torn last record", async () => {
  const directory = mkdtempSync(join(tmpdir(), "herald-outbox-"));
  const frame = (id: string) => toBinary(ClientFrameSchema, create(ClientFrameSchema, {
    messageId: id, body: { case: "chatSend", value: { conversationId: "c", text: id } },
  }));
  const first = FileOutboxStorage.open(directory);
  await first.add("a", frame("a"));
  await first.add("b", frame("b"));
  await first.add("c", frame("c"));
  await first.done("b");
  await first.pushSeen(7n);
  await first.pushSeen(5n);
  await first.close();
  appendFileSync(join(directory, "outbox.log"), Uint8Array.of(1, 0, 0, 0, 9, 1, 2)); // a crash mid-write

  const second = FileOutboxStorage.open(directory);
  const stored = await second.load();
  assert.equal(stored.lastPushSeq, 7n);
  assert.deepEqual(stored.frames, [frame("a"), frame("c")]);
  await second.add("d", frame("d")); // appends after the cut, so the log stays readable
  await second.close();
  assert.equal((await FileOutboxStorage.open(directory).load()).frames.length, 3);
});

test("the outbox is bounded in frames and in bytes, also for sends that wait for the storage together", async () => {
  const client = await HeraldClient.start({
    endpoints: ["ws://127.0.0.1:1/v1/ws"], token: "t", webSocket,
    outboxCapacity: 2, outboxCapacityBytes: 1_000, maxFrameBytes: 600,
  });
  try {
    const chat = (text: string) => ({ case: "chatSend" as const, value: { conversationId: "c", text } });
    const together = await Promise.allSettled([client.send(chat("a")), client.send(chat("b")), client.send(chat("c"))]);
    assert.deepEqual(together.map((r) => r.status), ["fulfilled", "fulfilled", "rejected"]);
    assert.ok((together[2] as PromiseRejectedResult).reason instanceof OutboxFullError);
    await assert.rejects(client.send(chat("x".repeat(700))), RangeError, "a frame over maxFrameBytes");

    const roomy = await HeraldClient.start({
      endpoints: ["ws://127.0.0.1:1/v1/ws"], token: "t", webSocket,
      outboxCapacityBytes: 1_000,
    });
    try {
      await roomy.send(chat("y".repeat(500)));
      await assert.rejects(roomy.send(chat("z".repeat(500))), OutboxFullError, "past the bytes bound");
      assert.equal(roomy.unacknowledged, 1);
    } finally {
      await roomy.close();
    }
  } finally {
    await client.close();
  }
});
