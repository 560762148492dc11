/**
 * Confirmations and the daily spend limit as hosts run the server: stdio processes sharing a
 * state directory, HTTP instances sharing one Redis. Each server runs in live mode against one
 * sandbox started here, so the test counts what reached ClickSend.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { connectHttp } from "./support/http.js";
import { connectLive, liveEnv as liveEnvOf, onOneRedis } from "./support/live.js";
import { contentText as text } from "./support/results.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
  const user = sandbox.state.users[0];
  if (user) user.balance = 1_000;
});
afterAll(() => sandbox?.close());

const liveEnv = (extra: Record<string, string>) => liveEnvOf(sandbox, extra);
const stateDir = () => mkdtempSync(join(tmpdir(), "cs-confirm-"));

const posted = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
/** Not a test number: 0.0792 AUD a message. */
const PAID = "+61400123456";
const args = (body: string) => ({ messages: [{ to: PAID, body }] });
const call = (client: Client, name: string, input: Record<string, unknown>) =>
  client.callTool({ name, arguments: input }) as Promise<CallToolResult>;
const previewOn = async (client: Client, body: string) => {
  const result = await call(client, "preview_sms", args(body));
  return (result.structuredContent as { confirmation: string }).confirmation;
};

describe("stdio processes on one machine (the file store)", () => {
  it("a confirmation issued in one process is accepted once in another, and unknown to a process with its own state", async () => {
    const env = liveEnv({ CLICKSEND_STATE_DIR: stateDir(), CLICKSEND_REQUIRE_CONFIRMATION: "1" });
    const [a, b] = await Promise.all([connectLive(env), connectLive(env)]);
    const alone = await connectLive({ ...env, CLICKSEND_STATE_DIR: "memory" });
    const before = posted();
    try {
      const confirmation = await previewOn(a as Client, "across processes");
      const elsewhere = await call(alone, "send_sms", {
        ...args("across processes"),
        confirmation,
      });
      expect(text(elsewhere)).toContain("confirmation: not one this server issued");
      const sent = await call(b as Client, "send_sms", {
        ...args("across processes"),
        confirmation,
      });
      expect(sent.isError, text(sent)).toBeFalsy();
      const again = await call(a as Client, "send_sms", {
        ...args("across processes"),
        confirmation,
      });
      expect(text(again)).toContain("confirmation: already used at");
      const missing = await call(a as Client, "send_sms", args("across processes"));
      expect(text(missing)).toContain("Call preview_sms with the same arguments");
      expect(posted() - before).toBe(1);
    } finally {
      await Promise.all([a, b, alone].map((client) => client?.close()));
    }
  });

  it("parallel sends from three processes cannot pass the daily spend limit together", async () => {
    const env = liveEnv({ CLICKSEND_STATE_DIR: stateDir(), CLICKSEND_DAILY_SPEND_LIMIT: "0.4" });
    const servers = await Promise.all([1, 2, 3].map(() => connectLive(env)));
    const before = posted();
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call(servers[i % 3] as Client, "send_sms", args(`spend ${i}`)),
        ),
      );
      expect(results.filter((r) => !r.isError)).toHaveLength(5);
      expect(posted() - before).toBe(5);
      expect(text(results.find((r) => r.isError) as CallToolResult)).toContain(
        "Refused by CLICKSEND_DAILY_SPEND_LIMIT: the limit is 0.4 AUD",
      );
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe("HTTP instances on one Redis", () => {
  const { startRedis, startInstances } = onOneRedis();

  it("share confirmations and the spend limit: a token once, and at most the limit's worth of parallel sends", async () => {
    const redis = await startRedis();
    const env = liveEnv({
      CLICKSEND_REDIS_URL: redis.url,
      CLICKSEND_DAILY_SPEND_LIMIT: "0.4",
      CLICKSEND_REQUIRE_CONFIRMATION: "1",
    });
    const started = await startInstances(env, 3);
    const clients = await Promise.all(started.map((s) => connectHttp(s.url, {})));
    const [first, second, third] = clients as [Client, Client, Client];

    const before = posted();
    const confirmation = await previewOn(first, "over instances");
    const sent = await call(second, "send_sms", { ...args("over instances"), confirmation });
    expect(sent.isError, text(sent)).toBeFalsy();
    const again = await call(third, "send_sms", { ...args("over instances"), confirmation });
    expect(text(again)).toContain("confirmation: already used at");
    expect(posted() - before).toBe(1);

    // 0.0792 spent: four more fit under 0.4, whichever instance previews or sends them.
    const tokens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => previewOn(clients[i % 3] as Client, `redis ${i}`)),
    );
    const results = await Promise.all(
      tokens.map((token, i) =>
        call(clients[(i + 1) % 3] as Client, "send_sms", {
          ...args(`redis ${i}`),
          confirmation: token,
        }),
      ),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(4);
    expect(posted() - before).toBe(5);
    await Promise.all(clients.map((c) => c.close()));
  });
});
