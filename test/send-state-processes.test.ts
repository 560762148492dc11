/**
 * Send safety across processes and instances, as hosts run the server: several stdio processes
 * on one machine share a state directory; several HTTP instances share one Redis. Each server
 * runs in live mode against one sandbox started here, so the test counts what reached ClickSend.
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
});
afterAll(() => sandbox?.close());

const liveEnv = (extra: Record<string, string>) => liveEnvOf(sandbox, extra);

const posted = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
const sendSms = (client: Client, body: string, extra: Record<string, unknown> = {}) =>
  client.callTool({
    name: "send_sms",
    arguments: { messages: [{ to: "+61411111111", body }], ...extra },
  }) as Promise<CallToolResult>;

describe("stdio processes on one machine (the file store)", () => {
  it("share the daily limit exactly, one key, and keep both across a restart", async () => {
    const env = liveEnv({
      CLICKSEND_STATE_DIR: mkdtempSync(join(tmpdir(), "cs-procs-")),
      CLICKSEND_DAILY_MESSAGE_LIMIT: "3",
    });
    const servers = await Promise.all([1, 2, 3].map(() => connectLive(env)));
    const before = posted();
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => sendSms(servers[i % 3] as Client, `parallel ${i}`)),
      );
      expect(results.filter((r) => !r.isError)).toHaveLength(3);
      expect(posted() - before).toBe(3);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }

    // A new process with the same directory: the day's count holds, and the audit survives.
    const again = await connectLive(env);
    try {
      const refused = await sendSms(again, "after restart");
      expect(text(refused)).toContain("3 were sent in the last 24 hours");
      expect(posted() - before).toBe(3);
      const audit = await again.readResource({ uri: "clicksend://sends/today" });
      const sends = JSON.parse((audit.contents[0] as { text: string }).text) as {
        store: string;
        sends: Array<{ outcome: string; to: string[]; tool: string }>;
      };
      expect(sends.store).toBe("file");
      expect(sends.sends.filter((s) => s.outcome === "sent")).toHaveLength(3);
      expect(sends.sends.every((s) => s.tool === "send_sms" && s.to[0] === "***111")).toBe(true);
      expect(JSON.stringify(sends)).not.toContain("+61411111111");
    } finally {
      await again.close();
    }
  });

  it("one idempotency key across parallel processes and a restart: one request", async () => {
    const env = liveEnv({ CLICKSEND_STATE_DIR: mkdtempSync(join(tmpdir(), "cs-procs-")) });
    const servers = await Promise.all([1, 2, 3].map(() => connectLive(env)));
    const before = posted();
    try {
      await Promise.all(servers.map((s) => sendSms(s, "keyed", { idempotency_key: "invoice-9" })));
      expect(posted() - before).toBe(1);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    const again = await connectLive(env);
    try {
      const replay = await sendSms(again, "keyed", { idempotency_key: "invoice-9" });
      expect(replay.isError).toBeFalsy();
      expect(text(replay)).toContain("nothing was sent again");
      expect(posted() - before).toBe(1);
    } finally {
      await again.close();
    }
  });
});

describe("HTTP instances on one Redis", () => {
  const { startRedis, startInstances } = onOneRedis();

  it("30 parallel sends over three instances under a limit of 10: exactly 10; one key: one request; Redis down: fail closed", async () => {
    const redis = await startRedis();
    const env = liveEnv({ CLICKSEND_REDIS_URL: redis.url, CLICKSEND_DAILY_MESSAGE_LIMIT: "10" });
    const started = await startInstances(env, 3);
    const clients = await Promise.all(started.map((s) => connectHttp(s.url, {})));

    const before = posted();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => sendSms(clients[i % 3] as Client, `redis ${i}`)),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(10);
    expect(posted() - before).toBe(10);
    // Settled from three instances into the same five-minute slot: the count is whole.
    const after = await sendSms(clients[1] as Client, "after the parallel ones");
    expect(text(after)).toContain("10 were sent in the last 24 hours");
    expect(posted() - before).toBe(10);

    // The limit is used up: the key's instances share the state but set no limit.
    const keyed = liveEnv({ CLICKSEND_REDIS_URL: redis.url });
    const second = await startInstances(keyed, 3);
    const keyClients = await Promise.all(second.map((s) => connectHttp(s.url, {})));
    const beforeKey = posted();
    await Promise.all(
      keyClients.map((c) => sendSms(c, "keyed over instances", { idempotency_key: "k-http" })),
    );
    expect(posted() - beforeKey).toBe(1);

    await redis.stop();
    const down = await sendSms(keyClients[0] as Client, "while redis is down");
    expect(down.isError).toBe(true);
    expect(text(down)).toContain("unavailable");
    expect(text(down)).toContain("Nothing was sent");
    expect(posted() - beforeKey).toBe(1);
    const read = (await (keyClients[0] as Client).callTool({
      name: "get_account",
      arguments: {},
    })) as CallToolResult;
    expect(read.isError).toBeFalsy();
    await Promise.all([...clients, ...keyClients].map((c) => c.close()));
  });
});
