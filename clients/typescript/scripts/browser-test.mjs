// The browser test: the page in dist/www/ in a real headless Chromium (Debian's, driven by playwright-core), signed in
// with a token, sends telemetry and chat; a Node client of the conversation's other member answers, and the page must
// show that push. Run by deploy/node's TypeScriptClientTest (after `npm test` built the package), which starts the node
// and sets HERALD_WS_URL and HERALD_TOKENS. Exit code 0 when everything held; anything missing is a failure.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import WebSocket from "ws";
import { HeraldClient } from "../dist/src/index.js";

const TIMEOUT_MS = 30_000;
const chromiumPath = process.env.HERALD_CHROMIUM ?? "/usr/bin/chromium";
const url = process.env.HERALD_WS_URL;
const tokens = process.env.HERALD_TOKENS;
if (!url || !tokens) {
  fail("HERALD_WS_URL and HERALD_TOKENS are not set: deploy/node's TypeScriptClientTest runs this against a node it starts");
}
if (!existsSync(chromiumPath)) {
  fail(`no Chromium at ${chromiumPath} (HERALD_CHROMIUM): install Debian's, apt-get install -y chromium`);
}
const { ivan, judy } = JSON.parse(tokens);

const www = new URL("../dist/www/", import.meta.url).pathname;
const types = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };
const server = createServer((request, response) => {
  const path = normalize(join(www, new URL(request.url, "http://page").pathname));
  if (!path.startsWith(www) || !existsSync(path)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const pageUrl = `http://127.0.0.1:${server.address().port}/index.html?ws=${encodeURIComponent(url)}`;

const profile = mkdtempSync(join(tmpdir(), "herald-chromium-"));
const judyPushes = [];
let browser;
let judyClient;
const consoleLines = [];
try {
  judyClient = await HeraldClient.start({
    endpoints: [url], token: judy.token, webSocket: (u) => new WebSocket(u),
    events: { onPush: (push) => judyPushes.push(push) },
  });
  const conversation = `conv-${judy.user}`;
  const created = await judyClient.send({ case: "createConversation", value: { conversationId: conversation, memberUserIds: [judy.user, ivan.user] } });
  expect((await created.outcome).kind === "acked", "judy's conversation was created");

  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const page = browser.pages()[0] ?? await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on("console", (message) => consoleLines.push(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`page error: ${error.message}`));
  await page.goto(pageUrl);

  await page.fill("#token", ivan.token);
  await page.click("#sign-in");
  await page.locator("#status", { hasText: `connected as ${ivan.user}` }).waitFor();
  log("signed in");

  await page.click("#send-telemetry");
  await page.locator("#outcomes li", { hasText: "acked telemetry" }).waitFor();
  log("telemetry acked");

  await page.fill("#conversation", conversation);
  await page.fill("#text", "hello from the browser");
  await page.click("#send-chat");
  await page.locator("#outcomes li", { hasText: "acked chat" }).waitFor();
  await eventually("judy's push of the browser's chat", () =>
    judyPushes.some((p) => p.body.case === "chatMessage" && p.body.value.text === "hello from the browser"));
  log("chat acked and pushed to judy");

  const reply = await judyClient.send({ case: "chatSend", value: { conversationId: conversation, text: "hello browser" } });
  expect((await reply.outcome).kind === "acked", "judy's reply was acked");
  await page.locator("#pushes li", { hasText: `chat in ${conversation} from ${judy.user}: hello browser` }).waitFor();
  log("judy's reply shown in the page");

  // The outbox is IndexedDB's: what the client kept there leaves it once acked (the delete commits just after).
  const outboxName = `herald-outbox-${ivan.user}/${ivan.device}`;
  let left;
  await eventually("an empty IndexedDB outbox after the acks", async () => (left = await framesIn(page, outboxName)) === 0)
    .catch((error) => { throw new Error(`${error.message}: it holds ${left}`); });
  log("browser test passed");
} catch (error) {
  console.error(consoleLines.join("\n"));
  console.error(`browser test FAILED: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await judyClient?.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

function expect(condition, what) {
  if (!condition) {
    throw new Error(`expected: ${what}`);
  }
}

/** The frames in the page's IndexedDB outbox `name`. */
function framesIn(page, name) {
  return page.evaluate(async (name) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise((resolve, reject) => {
        const count = db.transaction("frames").objectStore("frames").count();
        count.onsuccess = () => resolve(count.result);
        count.onerror = () => reject(count.error);
      });
    } finally {
      db.close();
    }
  }, name);
}

async function eventually(what, condition) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function log(line) {
  console.log(`browser test: ${line}`);
}

function fail(message) {
  console.error(`browser test FAILED: ${message}`);
  process.exit(1);
}
