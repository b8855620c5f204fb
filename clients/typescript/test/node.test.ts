// The client against a real node, which deploy/node's TypeScriptClientTest starts and describes in the environment.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { HeraldClient, NackCode, type Push, type SendOutcome, type Welcome } from "../src/index.js";
import { FileOutboxStorage } from "../src/node.js";
import { RecordingSockets, chatTexts, eventually, herald, webSocket, type Identity } from "./support.js";

const { url, identities } = herald();
const clients: HeraldClient[] = [];
after(() => Promise.all(clients.map((c) => c.close())));

interface Session {
  client: HeraldClient;
  pushes: Push[];
  welcomes: Welcome[];
}

async function connect(who: Identity, options: Partial<Parameters<typeof HeraldClient.start>[0]> = {}): Promise<Session> {
  const session: Session = { client: undefined as unknown as HeraldClient, pushes: [], welcomes: [] };
  session.client = await HeraldClient.start({
    endpoints: [url],
    token: who.token,
    webSocket: webSocket,
    ...options,
    events: {
      onConnected: (welcome) => session.welcomes.push(welcome),
      onPush: (push) => session.pushes.push(push),
    },
  });
  clients.push(session.client);
  await eventually(`${who.user}'s session`, () => session.client.connected);
  return session;
}

function acked(outcome: SendOutcome): SendOutcome & { kind: "acked" } {
  assert.equal(outcome.kind, "acked", JSON.stringify(outcome, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
  return outcome as SendOutcome & { kind: "acked" };
}

async function createConversation(owner: Session, id: string, members: Identity[]): Promise<void> {
  const sent = await owner.client.send({ case: "createConversation", value: { conversationId: id, memberUserIds: members.map((m) => m.user) } });
  acked(await sent.outcome);
}

test("telemetry and chat are acked, and the chat is pushed to the other member", { timeout: 30_000 }, async () => {
  const { alice, bob } = identities;
  const a = await connect(alice);
  const b = await connect(bob);
  const conversation = `conv-${alice.user}`;
  await createConversation(a, conversation, [alice, bob]);

  const telemetry = await a.client.send({ case: "telemetry", value: { readings: { temp: 21.5 }, raw: new Uint8Array([1, 2]) } });
  acked(await telemetry.outcome);
  const chat = await a.client.send({ case: "chatSend", value: { conversationId: conversation, text: "hello bob" } });
  acked(await chat.outcome);

  const push = await eventually("bob's chat push", () => b.pushes.find((p) => p.body.case === "chatMessage"));
  assert.equal(push.body.case, "chatMessage");
  if (push.body.case === "chatMessage") {
    assert.equal(push.body.value.text, "hello bob");
    assert.equal(push.body.value.messageId, chat.messageId);
    assert.equal(push.body.value.senderUserId, alice.user);
  }
});

test("a frame whose ack was lost with the connection is resent with the same message_id and applied once", { timeout: 30_000 }, async () => {
  const { carol, dave } = identities;
  const sockets = new RecordingSockets();
  const c = await connect(carol, { webSocket: sockets.factory });
  const d = await connect(dave);
  const conversation = `conv-${carol.user}`;
  await createConversation(c, conversation, [carol, dave]);

  sockets.loseAckOf((id) => id === "lost-ack-1");
  const lost = await c.client.send({ case: "chatSend", value: { conversationId: conversation, text: "once" } }, "lost-ack-1");
  const outcome = acked(await lost.outcome);
  const after = await c.client.send({ case: "chatSend", value: { conversationId: conversation, text: "after" } });
  acked(await after.outcome);

  assert.deepEqual(sockets.swallowedAcks, ["lost-ack-1"], "Herald acked the first attempt, and the client never saw it");
  const attempts = sockets.written.filter((w) => w.messageId === "lost-ack-1");
  assert.equal(attempts.length, 2);
  assert.notEqual(attempts[0].connection, attempts[1].connection, "the resend went out on the new connection");
  assert.equal(outcome.attempts, 2);
  await eventually("dave's push of the later chat", () => chatTexts(d.pushes, conversation).includes("after"));
  // Conversation order is total and the resend came before "after": a second "once" would be before it.
  assert.deepEqual(chatTexts(d.pushes, conversation), ["once", "after"]);
});

test("a client restarted on its outbox sends what it kept, and resumes pushes after the last seq it saw", { timeout: 30_000 }, async () => {
  const { erin, frank } = identities;
  const e = await connect(erin);
  const directory = mkdtempSync(join(tmpdir(), "herald-frank-"));
  const f1 = await connect(frank, { storage: FileOutboxStorage.open(directory) });
  const conversation = `conv-${erin.user}`;
  await createConversation(e, conversation, [erin, frank]);
  acked(await (await e.client.send({ case: "chatSend", value: { conversationId: conversation, text: "one" } })).outcome);
  await eventually("frank's first chat", () => chatTexts(f1.pushes, conversation).includes("one"));
  const seen = f1.client.highestPushSeq;
  await f1.client.close();

  // Offline: frank's frame waits in the file; erin chats on.
  const offline = await HeraldClient.start({
    endpoints: ["ws://127.0.0.1:1/v1/ws"], token: frank.token, webSocket, storage: FileOutboxStorage.open(directory),
  });
  const kept = await offline.send({ case: "chatSend", value: { conversationId: conversation, text: "from the outbox" } });
  await offline.close();
  assert.equal((await kept.outcome).kind, "abandoned");
  acked(await (await e.client.send({ case: "chatSend", value: { conversationId: conversation, text: "two" } })).outcome);
  acked(await (await e.client.send({ case: "chatSend", value: { conversationId: conversation, text: "three" } })).outcome);

  const f2 = await connect(frank, { storage: FileOutboxStorage.open(directory) });
  assert.equal(f2.welcomes[0].resumedFromSeq, seen, "hello carried the last seq seen before the restart");
  assert.equal(f2.welcomes[0].pushesMissed, false);
  await eventually("erin's push of frank's kept chat", () => chatTexts(e.pushes, conversation).includes("from the outbox"));
  await eventually("frank's missed chats, and his own kept one", () =>
    chatTexts(f2.pushes, conversation).includes("three") && chatTexts(f2.pushes, conversation).includes("from the outbox"));
  assert.ok(f2.pushes.every((p) => p.seq > seen), "nothing before the cursor is replayed");
  assert.deepEqual(chatTexts(f2.pushes, conversation).filter((t) => t !== "from the outbox"), ["two", "three"]);
  const keptPush = f2.pushes.find((p) => p.body.case === "chatMessage" && p.body.value.text === "from the outbox");
  assert.ok(keptPush && keptPush.body.case === "chatMessage" && keptPush.body.value.messageId === kept.messageId,
    "the kept frame went out with its message_id");
});

test("RETRY_LATER is resent with the same message_id no earlier than retry_after_ms, until every frame is acked", { timeout: 30_000 }, async () => {
  const { grace } = identities;
  const sockets = new RecordingSockets();
  const burst = Number(process.env.HERALD_DEVICE_BURST);
  assert.ok(burst > 0, "HERALD_DEVICE_BURST: the node's herald.gateway.limits.device-burst");
  const g = await connect(grace, { webSocket: sockets.factory, maxInFlight: 3 * burst, maxAttempts: 30 });
  // Three times the device's burst at once: what is past it is refused with RETRY_LATER, and comes back later.
  const sends = await Promise.all(Array.from({ length: 3 * burst }, (_, i) =>
    g.client.send({ case: "telemetry", value: { readings: { i } } })));
  const outcomes = await Promise.all(sends.map((s) => s.outcome));
  outcomes.forEach(acked);

  const retried = sockets.nacks.filter((n) => n.nack.code === NackCode.RETRY_LATER);
  assert.ok(retried.length > 0, "the burst was past the rate limit");
  for (const { nack, at, writtenBefore } of retried) {
    assert.ok(nack.retryAfterMs > 0n);
    const resend = sockets.written.slice(writtenBefore).find((w) => w.messageId === nack.messageId);
    assert.ok(resend, `${nack.messageId} was resent`);
    assert.ok(resend.at - at >= Number(nack.retryAfterMs), `resent ${resend.at - at} ms after a retry_after_ms of ${nack.retryAfterMs}`);
  }
});

test("push_ack goes out every pushAckEvery pushes, and Herald forgets what the device acknowledged", { timeout: 30_000 }, async () => {
  const { kate, leo } = identities;
  const sockets = new RecordingSockets();
  const k = await connect(kate, { webSocket: sockets.factory, pushAckEvery: 2 });
  const l = await connect(leo);
  const conversation = `conv-${leo.user}`;
  await createConversation(l, conversation, [leo, kate]);
  acked(await (await l.client.send({ case: "chatSend", value: { conversationId: conversation, text: "ack me" } })).outcome);
  await eventually("kate's chat push", () => chatTexts(k.pushes, conversation).includes("ack me"));
  assert.equal(k.client.highestPushSeq, 2n, "the membership notice and the chat");
  const pushAck = await eventually("kate's push_ack", () => sockets.written.find((w) => w.bodyCase === "pushAck"));
  assert.equal(pushAck.connection, 1);
  await k.client.close();

  // Once the push_ack went through Kafka to kate's User entity, her outbox no longer holds pushes 1 and 2: a client
  // of the same device that starts from nothing (hello with last_seq 0) is told it missed them, in a second welcome.
  const deadline = Date.now() + 20_000;
  for (;;) {
    assert.ok(Date.now() < deadline, "no welcome with pushes_missed within 20 s of the push_ack");
    const probe = await connect(kate);
    await eventually("the probe's replay or its second welcome", () => probe.welcomes.length === 2 || probe.pushes.length > 0);
    await probe.client.close();
    const missed = probe.welcomes.find((w) => w.pushesMissed);
    if (missed) {
      assert.equal(missed.resumedFromSeq, 2n);
      assert.ok(probe.pushes.every((push) => push.seq > 2n), "nothing kate acknowledged is replayed");
      break;
    }
    assert.equal(probe.pushes[0].seq, 1n, "before the push_ack is applied, everything is replayed");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

test("a session with nothing to send sends heartbeats, and stays open", { timeout: 30_000 }, async () => {
  const { mia } = identities;
  const sockets = new RecordingSockets();
  const m = await connect(mia, { webSocket: sockets.factory, heartbeatIntervalMs: 200 });
  await eventually("three heartbeats", () => sockets.written.filter((w) => w.bodyCase === "heartbeat").length >= 3);
  const telemetry = await m.client.send({ case: "telemetry", value: { readings: { t: 1 } } });
  acked(await telemetry.outcome);
  assert.ok(sockets.written.every((w) => w.connection === 1), "one connection throughout");
  assert.equal(m.welcomes.length, 1);
});
