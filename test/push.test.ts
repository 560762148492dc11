/**
 * Replies pushed over stdio (--watch-replies): the built server, a sandbox in this process, and
 * a client that subscribed to a conversation (2025: resources/subscribe; 2026-07-28:
 * subscriptions/listen) or declared Claude Code's channels. Each waits for the push itself; the
 * watcher looks every 10 s, so a push comes within one look after the reply. Nothing is marked
 * read: the sandbox's unread list is as it was.
 */
import { Client, type ClientOptions } from "@modelcontextprotocol/client";
import { afterAll, describe, expect, it } from "vitest";
import { STOP_REPLY_NUMBER, unreadInbound } from "../sandbox/replies.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import { liveEnv } from "./support/live.js";
import { runCli, startServer } from "./support/stdio.js";
import { addSms } from "./support/tool-args.js";
import { until, within } from "./support/wait.js";

/** A sandbox number that answers every text (sandbox/replies.ts). */
const REPLIES = "+61491570156";
const CONVERSATION = `clicksend://conversations/${REPLIES}`;
const WATCH_S = "10";
/** One look after the reply, with room for a loaded machine: a hang bound, not a margin. */
const PUSH_MS = 60_000;

/** What afterAll closes. */
const running: Array<{ sandbox: Sandbox; client: Client }> = [];
afterAll(async () => {
  for (const { client, sandbox } of running) {
    await client.close().catch(() => {});
    await sandbox.close();
  }
});

async function start(
  options: ClientOptions,
  capabilities: ClientOptions["capabilities"] = {},
  name = "push-host",
) {
  const sandbox = await startSandbox(CANARY);
  const server = await startServer(["--watch-replies", WATCH_S], liveEnv(sandbox, {}));
  const client = new Client({ name, version: "1.0.0" }, { ...options, capabilities });
  await client.connect(server);
  const run = { sandbox, server, client };
  running.push(run);
  // The watcher's first look only learns what is unread already: a reply must come after it.
  await until("the watcher's first look", () => lists(sandbox) >= 2);
  return run;
}

/** How many reads of the unread lists the sandbox has answered. */
const lists = (sandbox: Sandbox) =>
  sandbox.requests.filter((r) => r.path === "sms/inbound" || r.path === "sms/receipts").length;

/** A text from the account to `to`, delivered: the sandbox's number then replies. */
const text = (sandbox: Sandbox, to: string) =>
  addSms(sandbox.state, { to, from: "+61447254068", body: "Reply YES to confirm" });

/** Nothing was marked read: no mark-read request, and the reply is still unread. */
function nothingMarkedRead(sandbox: Sandbox, from: string) {
  expect(sandbox.requests.filter((r) => r.method !== "GET")).toEqual([]);
  const userId = sandbox.state.users[0]?.user_id ?? 0;
  expect(unreadInbound(sandbox.state, userId).some((m) => m.from === from)).toBe(true);
}

const updated = (client: Client) =>
  new Promise<string>((resolve) => {
    client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri));
  });

describe("--watch-replies over stdio", () => {
  it("declares resource subscriptions and Claude Code's channels, and stops with the host", async () => {
    const { client, server } = await start({});
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.resources?.subscribe).toBe(true);
    expect(capabilities?.experimental?.["claude/channel"]).toEqual({});
    await expect(client.subscribeResource({ uri: "clicksend://sends/today" })).rejects.toThrow(
      /Only conversations/,
    );
    // The host closes stdin: the process exits by itself (not killed), watcher and all.
    expect(await server.end()).toBe(0);
  });

  it("a 2025 client subscribed to a conversation is told when its number replies", async () => {
    const { client, sandbox, server } = await start({});
    await client.subscribeResource({ uri: CONVERSATION });
    const pushed = updated(client);
    text(sandbox, REPLIES);
    expect(await within(PUSH_MS, "notifications/resources/updated", pushed)).toBe(CONVERSATION);
    nothingMarkedRead(sandbox, REPLIES);
    // Without channels declared, no reply text is pushed; and no body reaches the logs.
    expect(server.notifications.some((n) => n.method === "notifications/claude/channel")).toBe(
      false,
    );
    expect(server.stderr).not.toContain("see you then");
  });

  it("a 2026-07-28 client listening for a conversation is told when its number replies", async () => {
    const { client, sandbox } = await start({
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    });
    const pushed = updated(client);
    const subscription = await client.listen({ resourceSubscriptions: [CONVERSATION] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual([CONVERSATION]);
    text(sandbox, REPLIES);
    expect(await within(PUSH_MS, "notifications/resources/updated", pushed)).toBe(CONVERSATION);
    nothingMarkedRead(sandbox, REPLIES);
  });

  it("a client that declares channels gets each reply fenced, and an opt-out as an opt-out", async () => {
    const { sandbox, server, client } = await start({}, { experimental: { "claude/channel": {} } });
    text(sandbox, REPLIES);
    text(sandbox, STOP_REPLY_NUMBER);
    const events = () =>
      server.notifications.filter((n) => n.method === "notifications/claude/channel");
    await until("two channel events", () => events().length >= 2, PUSH_MS);
    const byKind = new Map(
      events().map((n) => [(n.params?.meta as Record<string, string> | undefined)?.kind, n.params]),
    );
    const reply = byKind.get("sms_reply");
    expect(reply?.meta).toMatchObject({ from: REPLIES, conversation: CONVERSATION });
    expect(reply?.content).toContain("«Yes please, see you then!»");
    expect(reply?.content).toContain(`send_sms to ${REPLIES}`);
    expect(reply?.content).toContain("untrusted");
    const optOut = byKind.get("sms_opt_out");
    expect(optOut?.meta).toMatchObject({ from: STOP_REPLY_NUMBER });
    expect(optOut?.content).toContain("Do not text this number");
    expect(optOut?.content).not.toContain("send_sms");
    nothingMarkedRead(sandbox, REPLIES);
    expect(server.stderr).not.toContain("see you then");
    // The opt-out is kept at once: a send to that number is refused before it leaves.
    const send = await client.callTool({
      name: "send_sms",
      arguments: { messages: [{ to: STOP_REPLY_NUMBER, body: "One more thing" }] },
    });
    expect(send.isError).toBe(true);
    expect(JSON.stringify(send.content)).toContain("replied an opt-out keyword");
    expect(sandbox.requests.filter((r) => r.path === "sms/send")).toEqual([]);
  });

  it("Claude Code, which names itself and declares nothing, gets replies as channel events", async () => {
    // Claude Code's initialize: clientInfo.name "claude-code", no experimental capability; it
    // shows channel events only when its user started it with --channels.
    const { sandbox, server } = await start({}, {}, "claude-code");
    text(sandbox, REPLIES);
    await until(
      "a channel event",
      () => server.notifications.some((n) => n.method === "notifications/claude/channel"),
      PUSH_MS,
    );
    nothingMarkedRead(sandbox, REPLIES);
  });

  it("is off by default: neither subscriptions nor channels declared, nothing polled", async () => {
    const sandbox = await startSandbox(CANARY);
    const client = await (await startServer([], liveEnv(sandbox, {}))).connect();
    running.push({ sandbox, client });
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.resources?.subscribe).toBeUndefined();
    expect(capabilities?.experimental).toBeUndefined();
    await client.listTools();
    expect(lists(sandbox)).toBe(0);
  });

  it("refuses a watch shorter than 10 s, naming the setting", async () => {
    const run = await runCli(["--sandbox"], { CLICKSEND_WATCH_REPLIES_S: "5" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("CLICKSEND_WATCH_REPLIES_S");
  });
});
