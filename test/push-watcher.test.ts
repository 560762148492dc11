/**
 * The reply watcher's loop and the push hub, driven without wall-clock time: a clock whose
 * sleeps end when the test says, and a source the test fills. One look at a time, the backlog
 * never pushed, failures backed off, stop ends it; the hub pushes to a 2025 connection only what
 * it subscribed to, and channel events only to a client that declared channels.
 */
import type { Server } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import type { ClickSendClient } from "../src/client/client.js";
import type { Clock } from "../src/clock.js";
import { createLogger } from "../src/logger.js";
import { CHANNEL_METHOD, PushHub } from "../src/push/hub.js";
import type { ReplySource, WatchedReceipt, WatchedReply } from "../src/push/source.js";
import { conversationUri, numberOfConversation } from "../src/push/subscriptions.js";
import { type Changes, startWatcher } from "../src/push/watcher.js";
import { until } from "./support/wait.js";

const logger = createLogger("error");
const client = {} as ClickSendClient;

/** A clock whose sleeps wait for wake(); it records how long each was asked to be. */
function stepClock() {
  const sleeps: number[] = [];
  let wake: (() => void) | undefined;
  const clock: Clock = {
    now: () => 0,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        sleeps.push(ms);
        wake = resolve;
        signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
  };
  return {
    clock,
    sleeps,
    /** Ends the current sleep: the next look starts. */
    wake: () => {
      const w = wake;
      wake = undefined;
      w?.();
    },
  };
}

const reply = (id: string, number: string, optOut = false): WatchedReply => ({
  id,
  number,
  optOut,
  content: `«text ${id}»`,
  meta: { kind: "sms_reply", message_id: id, from: number },
});

/** A source the test fills; counts looks and how many run at once. */
function fakeSource() {
  const state = {
    replies: [] as WatchedReply[],
    receipts: [] as WatchedReceipt[],
    recipients: new Map<string, string>(),
    fail: 0,
    looks: 0,
    running: 0,
    most: 0,
  };
  const source: ReplySource = {
    async unread() {
      state.looks++;
      state.running++;
      state.most = Math.max(state.most, state.running);
      await Promise.resolve();
      state.running--;
      if (state.fail > 0) {
        state.fail--;
        throw new TypeError("fetch failed");
      }
      return { replies: [...state.replies], receipts: [...state.receipts] };
    },
    async recipients() {
      return state.recipients;
    },
  };
  return { state, source };
}

describe("the reply watcher", () => {
  it("pushes only what is new after its first look, one look at a time", async () => {
    const { clock, sleeps, wake } = stepClock();
    const { state, source } = fakeSource();
    state.replies = [reply("OLD", "+61411111111")];
    const delivered: Changes[] = [];
    const watcher = startWatcher({
      intervalMs: 30_000,
      source,
      client,
      logger,
      clock,
      deliver: async (changes) => void delivered.push(changes),
    });
    await until("the first look", () => sleeps.length === 1);
    expect(delivered).toEqual([]);

    state.replies.push(reply("NEW", "+61422222222"));
    state.receipts = [{ id: "R1", sentAt: 1 }];
    state.recipients = new Map([["R1", "+61433333333"]]);
    wake();
    await until("the second look", () => sleeps.length === 2);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.replies.map((r) => r.id)).toEqual(["NEW"]);
    expect([...(delivered[0]?.numbers ?? [])].sort()).toEqual(["+61422222222", "+61433333333"]);

    // Still unread, nothing new: nothing pushed again.
    wake();
    await until("the third look", () => sleeps.length === 3);
    expect(delivered).toHaveLength(1);
    expect(sleeps).toEqual([30_000, 30_000, 30_000]);
    expect(state.most).toBe(1);
    watcher.stop();
    await watcher.done;
  });

  it("waits longer after each failure, and the usual interval after a success", async () => {
    const { clock, sleeps, wake } = stepClock();
    const { state, source } = fakeSource();
    state.fail = 6;
    const watcher = startWatcher({
      intervalMs: 10_000,
      source,
      client,
      logger,
      clock,
      deliver: async () => {},
    });
    for (let look = 1; look <= 7; look++) {
      await until(`look ${look}`, () => sleeps.length === look);
      wake();
    }
    await until("look 8", () => sleeps.length === 8);
    expect(sleeps).toEqual([20_000, 40_000, 80_000, 160_000, 160_000, 160_000, 10_000, 10_000]);
    watcher.stop();
    await watcher.done;
  });

  it("stops at once: no look after stop()", async () => {
    const { clock, sleeps } = stepClock();
    const { state, source } = fakeSource();
    const watcher = startWatcher({
      intervalMs: 10_000,
      source,
      client,
      logger,
      clock,
      deliver: async () => {},
    });
    await until("the first look", () => sleeps.length === 1);
    watcher.stop();
    await watcher.done;
    expect(state.looks).toBe(1);
  });
});

interface Sent {
  method: string;
  params: Record<string, unknown>;
}

/** Enough of an SDK Server for the hub: what it sends, the client's capabilities and name. */
function fakeServer(capabilities: object = {}, name = "some-host") {
  const sent: Sent[] = [];
  const server = {
    onclose: undefined as (() => void) | undefined,
    getClientCapabilities: () => capabilities,
    getClientVersion: () => ({ name, version: "1.0.0" }),
    sendResourceUpdated: async (params: { uri: string }) =>
      void sent.push({ method: "notifications/resources/updated", params }),
    notification: async (n: Sent) => void sent.push(n),
  };
  return { server, sent, asServer: server as unknown as Server };
}

describe("the push hub", () => {
  const changes: Changes = {
    numbers: new Set(["+61411111111", "+61422222222"]),
    replies: [reply("A", "+61411111111")],
  };

  it("tells a 2025 connection only about the conversations it subscribed to", async () => {
    const hub = new PushHub(logger);
    const { asServer, sent } = fakeServer();
    const connection = hub.attach(asServer, "legacy");
    connection.subscriptions.add(conversationUri("+61411111111"));
    await hub.deliver(changes);
    expect(sent).toEqual([
      {
        method: "notifications/resources/updated",
        params: { uri: "clicksend://conversations/+61411111111" },
      },
    ]);
  });

  it("hands a 2026-07-28 connection every change, for its listen streams to filter", async () => {
    const hub = new PushHub(logger);
    const { asServer, sent } = fakeServer();
    hub.attach(asServer, "modern");
    await hub.deliver(changes);
    expect(sent.map((s) => s.params.uri)).toEqual([
      "clicksend://conversations/+61411111111",
      "clicksend://conversations/+61422222222",
    ]);
  });

  it("pushes channel events only to a client that declared channels, until it closes", async () => {
    const hub = new PushHub(logger);
    const plain = fakeServer();
    const channel = fakeServer({ experimental: { "claude/channel": {} } });
    hub.attach(plain.asServer, "legacy");
    hub.attach(channel.asServer, "legacy");
    await hub.deliver(changes);
    expect(plain.sent).toEqual([]);
    expect(channel.sent).toEqual([
      { method: CHANNEL_METHOD, params: { content: "«text A»", meta: changes.replies[0]?.meta } },
    ]);
    channel.server.onclose?.();
    await hub.deliver(changes);
    expect(channel.sent).toHaveLength(1);
  });
});

describe("conversation URIs", () => {
  it("name a number in E.164 and nothing else", () => {
    expect(conversationUri("+61411111111")).toBe("clicksend://conversations/+61411111111");
    expect(numberOfConversation("clicksend://conversations/+61411111111")).toBe("+61411111111");
    expect(numberOfConversation("clicksend://conversations/%2B61411111111")).toBe("+61411111111");
    expect(numberOfConversation("clicksend://conversations/0411111111")).toBeUndefined();
    expect(numberOfConversation("clicksend://audit/2026-12-07")).toBeUndefined();
  });
});
