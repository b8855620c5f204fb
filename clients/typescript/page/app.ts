// The page's script (bundled by scripts/bundle-page.mjs): the client with its outbox in IndexedDB.
import { HeraldClient, IndexedDbOutboxStorage, type Push, type SendOutcome } from "../src/index.js";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const endpoint = element<HTMLInputElement>("endpoint");
const status = element<HTMLParagraphElement>("status");
endpoint.value = new URLSearchParams(location.search).get("ws") ?? `ws://${location.hostname}:8080/v1/ws`;

let client: HeraldClient | undefined;

function append(listId: string, text: string): void {
  const item = document.createElement("li");
  item.textContent = text;
  element(listId).append(item);
}

function describe(push: Push): string {
  switch (push.body.case) {
    case "chatMessage":
      return `#${push.seq} chat in ${push.body.value.conversationId} from ${push.body.value.senderUserId}: ${push.body.value.text}`;
    case "conversationMembership":
      return `#${push.seq} members of ${push.body.value.conversationId}: ${push.body.value.memberUserIds.join(", ")}`;
    case "rejected":
      return `#${push.seq} rejected ${push.body.value.messageId}: ${push.body.value.detail}`;
    default:
      return `#${push.seq} ${push.body.case ?? "unknown"}`;
  }
}

async function track(what: string, sent: Promise<{ messageId: string; outcome: Promise<SendOutcome> }>): Promise<void> {
  const outcome = await (await sent).outcome;
  append("outcomes", `${outcome.kind} ${what} ${outcome.messageId}`);
}

element<HTMLFormElement>("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await client?.close();
  const token = element<HTMLInputElement>("token").value.trim();
  // The token's claims name the outbox, so each user and device on this browser keeps its own.
  const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string; device: string };
  status.textContent = "connecting";
  client = await HeraldClient.start({
    endpoints: [endpoint.value],
    token,
    storage: await IndexedDbOutboxStorage.open(`${claims.sub}/${claims.device}`),
    clientVersion: "herald-page",
    events: {
      onConnected: (welcome) => {
        status.textContent = `connected as ${welcome.userId} on ${welcome.deviceId}`;
        element<HTMLButtonElement>("send-telemetry").disabled = false;
        element<HTMLButtonElement>("send-chat").disabled = false;
      },
      onDisconnected: (reason) => (status.textContent = `reconnecting (${reason})`),
      onStopped: (reason) => (status.textContent = `stopped: ${reason}`),
      onPush: (push) => append("pushes", describe(push)),
    },
  });
});

element("send-telemetry").addEventListener("click", () => {
  void track("telemetry", client!.send({ case: "telemetry", value: { readings: { temp: 20 + Math.random() * 5 } } }));
});

element<HTMLFormElement>("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const conversationId = element<HTMLInputElement>("conversation").value;
  const text = element<HTMLInputElement>("text").value;
  void track("chat", client!.send({ case: "chatSend", value: { conversationId, text } }));
});
