/**
 * ClickSend's URL-rule webhook over HTTP (CLICKSEND_WEBHOOK_SECRET): the built server in live
 * mode against a sandbox in this process, posted to as ClickSend posts (JSON or form-encoded),
 * and 2026-07-28 clients listening for conversations (subscriptions/listen). Every wait is for
 * an event: a replay is shown not to notify by a later event arriving first.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { CANARY } from "./support/canary.js";
import { type HttpServer, rawRequest, startHttpServer } from "./support/http.js";
import { liveEnv, onOneRedis } from "./support/live.js";
import { addSms } from "./support/tool-args.js";
import { HANG_MS, within } from "./support/wait.js";

const SECRET = "s3cret-webhook-path-0123456789abcdefXYZ";
const PATH = `/webhooks/clicksend/${SECRET}`;
const ALICE = "+61411111111";
const BOB = "+61422222222";
const uri = (number: string) => `clicksend://conversations/${number}`;

const closing: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close().catch(() => {});
});

async function sandbox(): Promise<Sandbox> {
  const s = await startSandbox(CANARY);
  closing.push(() => s.close());
  return s;
}

async function server(s: Sandbox, extra: Record<string, string> = {}): Promise<HttpServer> {
  const env = liveEnv(s, { CLICKSEND_WEBHOOK_SECRET: SECRET, ...extra });
  const started = await startHttpServer([], env, { live: true });
  closing.push(() => started.stop());
  return started;
}

/** A 2026-07-28 client listening for these conversations; `told` is what it was told, in order. */
async function listener(url: string, numbers: string[]) {
  const client = new Client(
    { name: "webhook-test", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  closing.push(() => client.close());
  const told: string[] = [];
  const waiters: Array<() => void> = [];
  client.setNotificationHandler("notifications/resources/updated", (n) => {
    told.push(n.params.uri);
    for (const wake of waiters.splice(0)) wake();
  });
  const subscription = await client.listen({ resourceSubscriptions: numbers.map(uri) });
  expect(subscription.honoredFilter.resourceSubscriptions).toEqual(numbers.map(uri));
  /** Resolves once `count` notifications have arrived. */
  const after = async (count: number) => {
    while (told.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return [...told];
  };
  return {
    client,
    told,
    after: (count: number) => within(HANG_MS, `${count} notifications`, after(count)),
  };
}

const post = (url: string, body: string, type = "application/json", path = PATH) =>
  rawRequest(url, { path, headers: { "content-type": type }, body });

const inbound = (id: string, from: string, body = "Yes please, see you then") =>
  JSON.stringify({
    timestamp: "1722997250",
    from,
    body,
    to: "+61447254068",
    message_id: id,
    original_message_id: "1EF54639-F16D-681E-947A-4F4FCDFD2B87",
    custom_string: "",
    user_id: 1,
    unexpected: { nested: "dropped" },
  });

describe("the ClickSend webhook over HTTP", () => {
  it("does not exist without a secret: the same 404 as any unknown path", async () => {
    const s = await sandbox();
    const started = await startHttpServer([], liveEnv(s, {}), { live: true });
    closing.push(() => started.stop());
    const unknown = await post(started.url, "{}", "application/json", "/nowhere");
    const hook = await post(started.url, inbound("A1", ALICE));
    expect(hook.status).toBe(404);
    expect(hook.body).toBe(unknown.body);
  });

  it("a secret shorter than 32 characters is a configuration error naming the variable", async () => {
    const s = await sandbox();
    const env = liveEnv(s, { CLICKSEND_WEBHOOK_SECRET: "short" });
    await expect(startHttpServer([], env, { live: true })).rejects.toThrow(
      /CLICKSEND_WEBHOOK_SECRET must be 32/,
    );
  });

  it("takes replies and receipts, refuses the rest, and notifies each change once", async () => {
    const s = await sandbox();
    const http = await server(s);
    const client = await listener(http.url, [ALICE, BOB]);

    const wrong = await post(http.url, inbound("A1", ALICE), "application/json", `${PATH}x`);
    const unknown = await post(http.url, "{}", "application/json", "/nowhere");
    expect(wrong.status).toBe(404);
    expect(wrong.body).toBe(unknown.body);

    expect((await post(http.url, "{not json")).status).toBe(400);
    expect((await post(http.url, JSON.stringify({ from: ALICE }))).status).toBe(400);
    expect((await post(http.url, inbound("A1", "not a number"))).status).toBe(400);
    expect((await post(http.url, inbound("A1", ALICE), "text/plain")).status).toBe(400);
    const huge = inbound("A1", ALICE, "x".repeat(70 * 1024));
    expect((await post(http.url, huge)).status).toBe(413);
    const get = await rawRequest(http.url, { method: "GET", path: PATH });
    expect(get.status).toBe(405);

    expect((await post(http.url, inbound("A1", ALICE))).status).toBe(200);
    expect(await client.after(1)).toEqual([uri(ALICE)]);
    // The replay is answered 200 but not told again: Bob's reply, posted after it, comes next.
    expect((await post(http.url, inbound("a1", ALICE))).status).toBe(200);
    const form = new URLSearchParams({ from: BOB, body: "ok", message_id: "B1" }).toString();
    expect((await post(http.url, form, "application/x-www-form-urlencoded")).status).toBe(200);
    expect(await client.after(2)).toEqual([uri(ALICE), uri(BOB)]);

    // A receipt: its message went to Bob (the sandbox's history says so).
    const sent = addSms(s.state, { to: BOB, body: "See you at 10" });
    const receipt = JSON.stringify({
      timestamp_send: String(sent.date),
      timestamp: String(sent.date),
      message_id: sent.message_id,
      status: "Delivered",
      status_code: "201",
      status_text: "Success: Message received on handset.",
      error_code: null,
      error_text: null,
      custom_string: null,
      user_id: 1,
      subaccount_id: 1,
      message_type: "sms",
    });
    expect((await post(http.url, receipt)).status).toBe(200);
    expect(await client.after(3)).toEqual([uri(ALICE), uri(BOB), uri(BOB)]);

    // Neither the secret nor a text reaches the logs.
    expect(http.stderr()).not.toContain(SECRET);
    expect(http.stderr()).not.toContain("see you then");
  });

  it("in sandbox mode, URL rules made with create_automation_rule push the sandbox's reply and receipt", async () => {
    const http = await startHttpServer([], { CLICKSEND_WEBHOOK_SECRET: SECRET });
    closing.push(() => http.stop());
    // A sandbox number that answers every text (sandbox/replies.ts).
    const replier = "+61491570156";
    const { client, after } = await listener(http.url, [replier]);
    for (const kind of ["inbound", "receipts"]) {
      const rule = await client.callTool({
        name: "create_automation_rule",
        arguments: { kind, public_base_url: new URL(http.url).origin },
      });
      expect(rule.isError).toBeFalsy();
      expect(JSON.stringify(rule)).not.toContain(SECRET);
    }
    const sent = await client.callTool({
      name: "send_sms",
      arguments: { messages: [{ to: replier, body: "Reply YES to confirm" }] },
    });
    expect(sent.isError).toBeFalsy();
    // The reply (posted as JSON) and the receipt (form-encoded, its number looked up).
    expect(await after(2)).toEqual([uri(replier), uri(replier)]);
    expect(http.stderr()).not.toContain(SECRET);
  });

  describe("two instances on one Redis", () => {
    const { startRedis, startInstances } = onOneRedis();

    it("both notify their listeners of an event posted to either, and a replay to the other is dropped", async () => {
      const s = await sandbox();
      const redis = await startRedis();
      const env = liveEnv(s, { CLICKSEND_WEBHOOK_SECRET: SECRET, CLICKSEND_REDIS_URL: redis.url });
      const [one, two] = await startInstances(env, 2);
      if (!one || !two) throw new Error("two instances");
      const [first, second] = await Promise.all([
        listener(one.url, [ALICE, BOB]),
        listener(two.url, [ALICE, BOB]),
      ]);
      expect((await post(one.url, inbound("R1", ALICE))).status).toBe(200);
      expect(await first.after(1)).toEqual([uri(ALICE)]);
      expect(await second.after(1)).toEqual([uri(ALICE)]);
      // ClickSend retries to the other instance: dropped there, so Bob's reply is next on both.
      expect((await post(two.url, inbound("R1", ALICE))).status).toBe(200);
      expect((await post(two.url, inbound("R2", BOB))).status).toBe(200);
      expect(await first.after(2)).toEqual([uri(ALICE), uri(BOB)]);
      expect(await second.after(2)).toEqual([uri(ALICE), uri(BOB)]);
    });
  });
});
