import { fromBinary } from "@bufbuild/protobuf";
import WebSocket from "ws";
import { ClientFrameSchema, ServerFrameSchema, type Nack, type Push } from "../src/index.js";
import type { WebSocketFactory, WebSocketLike } from "../src/index.js";

/** A user and device the JUnit test minted a token for. */
export interface Identity {
  user: string;
  device: string;
  token: string;
}

/** The node under test, from the environment the JUnit test (TypeScriptClientTest) sets; missing: fail, not skip. */
export function herald(): { url: string; identities: Record<string, Identity> } {
  const url = process.env.HERALD_WS_URL;
  const tokens = process.env.HERALD_TOKENS;
  if (!url || !tokens) {
    throw new Error("HERALD_WS_URL and HERALD_TOKENS are not set: these tests run against a node that "
      + "deploy/node's TypeScriptClientTest starts (mvn -pl deploy/node verify -Dtest=TypeScriptClientTest)");
  }
  return { url, identities: JSON.parse(tokens) as Record<string, Identity> };
}

/** A frame the client wrote, and on which connection. */
export interface Written {
  connection: number;
  messageId: string;
  bodyCase: string | undefined;
  at: number;
}

/**
 * Opens real WebSockets (the ws package) and records what the client writes. `loseAckOf` makes a connection lose the
 * ack of a chosen frame: from the moment it goes out the client hears nothing more on that connection, and once
 * Herald's ack for it arrived (so the frame is durable in Kafka) the connection drops, as a network cut would.
 */
export class RecordingSockets {
  readonly written: Written[] = [];
  readonly swallowedAcks: string[] = [];
  /** The nacks the client was handed, each with how many frames had been written before it arrived. */
  readonly nacks: { nack: Nack; at: number; writtenBefore: number }[] = [];
  private connections = 0;
  private loseWhen: ((messageId: string) => boolean) | undefined;

  loseAckOf(predicate: (messageId: string) => boolean): void {
    this.loseWhen = predicate;
  }

  readonly factory: WebSocketFactory = (url) => {
    const connection = ++this.connections;
    const real = new WebSocket(url);
    const recorder = this;
    let losing: string | undefined;
    const socket: WebSocketLike = {
      binaryType: "arraybuffer",
      onopen: null, onmessage: null, onclose: null, onerror: null,
      send(data: Uint8Array) {
        const frame = fromBinary(ClientFrameSchema, data);
        recorder.written.push({ connection, messageId: frame.messageId, bodyCase: frame.body.case, at: Date.now() });
        real.send(data);
        if (recorder.loseWhen?.(frame.messageId)) {
          recorder.loseWhen = undefined;
          losing = frame.messageId;
        }
      },
      close(code?: number, reason?: string) {
        real.close(code, reason);
      },
    };
    real.binaryType = "arraybuffer";
    real.onopen = (e) => socket.onopen?.(e);
    real.onmessage = (e) => {
      const answer = fromBinary(ServerFrameSchema, new Uint8Array(e.data as ArrayBuffer));
      if (losing === undefined) {
        if (answer.body.case === "nack") {
          recorder.nacks.push({ nack: answer.body.value, at: Date.now(), writtenBefore: recorder.written.length });
        }
        socket.onmessage?.({ data: e.data });
        return;
      }
      if (answer.body.case === "ack" && answer.body.value.messageId === losing) {
        recorder.swallowedAcks.push(losing);
        real.close(1000, "cut by the test");
        socket.onclose?.({ code: 1006, reason: "cut by the test after Herald acked " + losing });
      }
    };
    real.onclose = (e) => losing === undefined && socket.onclose?.({ code: e.code, reason: e.reason });
    real.onerror = (e) => losing === undefined && socket.onerror?.(e);
    return socket;
  };
}

/** Polls `condition` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, condition: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function chatTexts(pushes: Push[], conversationId: string): string[] {
  return pushes.flatMap((p) => p.body.case === "chatMessage" && p.body.value.conversationId === conversationId ? [p.body.value.text] : []);
}

export function webSocket(url: string) {
  return new WebSocket(url) as unknown as WebSocketLike;
}
