/**
 * Issue 22's load check: three processes on one SQLite directory, three on one Redis, 300 parallel
 * sends between them, stop exactly at the daily message limit and at the spend limit; one
 * idempotency key and one text go out once.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { connectLive, liveEnv } from "./support/live.js";
import { redisServerPath, startRedis } from "./support/redis.js";

const SENDS = 300;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: { limit: 1_000_000, windowMs: 60_000 } });
  const user = sandbox.state.users[0];
  if (user) user.balance = 1_000_000;
});
afterAll(() => sandbox?.close());

const posted = () => sandbox.requests.filter((r) => r.path === "sms/send").length;
/** Not a test number: 0.0792 AUD a message. */
const PAID = "+61400123456";
const send = (client: Client, body: string, extra: Record<string, unknown> = {}) =>
  client.callTool({
    name: "send_sms",
    arguments: { messages: [{ to: PAID, body }], ...extra },
  }) as Promise<CallToolResult>;

/** 300 parallel sends over the clients under each limit, then one key and one text, 300 times. */
interface Connected {
  clients: Client[];
  stop(): Promise<unknown>;
}

/** Runs `calls` with at most `limit` running at once; results in order. */
async function pooled<T>(calls: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, calls.length) }, async () => {
      while (next < calls.length) {
        const i = next++;
        results[i] = await (calls[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

async function exactlyAtTheLimits(connect: (env: Record<string, string>) => Promise<Connected>) {
  const run = async (
    env: Record<string, string>,
    args: (i: number) => [string, Record<string, unknown>?],
  ) => {
    const { clients, stop } = await connect(liveEnv(sandbox, env));
    const before = posted();
    try {
      const perClient = clients.map((client, c) =>
        pooled(
          Array.from({ length: SENDS / 3 }, (_, i) => () => send(client, ...args(i * 3 + c))),
          SENDS,
        ),
      );
      const results = (await Promise.all(perClient)).flat();
      return { sent: results.filter((r) => !r.isError).length, posted: posted() - before };
    } finally {
      await stop();
    }
  };
  const run1 = `${Date.now()}`;
  expect(
    await run({ CLICKSEND_DAILY_MESSAGE_LIMIT: "120" }, (i) => [`limit ${run1} ${i}`]),
  ).toEqual({ sent: 120, posted: 120 });
  // 0.0792 a message: 63 fit under 5.0.
  expect(await run({ CLICKSEND_DAILY_SPEND_LIMIT: "5" }, (i) => [`spend ${run1} ${i}`])).toEqual({
    sent: 63,
    posted: 63,
  });
  const keyed = await run({}, () => [`keyed ${run1}`, { idempotency_key: `key-${run1}` }]);
  expect(keyed.posted).toBe(1);
  const windowed = await run({ CLICKSEND_DUPLICATE_WINDOW_S: "600" }, () => [`same ${run1}`]);
  expect(windowed).toEqual({ sent: 1, posted: 1 });
}

describe("300 parallel sends", () => {
  it("over three stdio processes on one SQLite state directory", async () => {
    await exactlyAtTheLimits(async (env) => {
      const dir = mkdtempSync(join(tmpdir(), "cs-load-"));
      const clients = await Promise.all(
        [1, 2, 3].map(() => connectLive({ ...env, CLICKSEND_STATE_DIR: dir })),
      );
      return { clients, stop: () => Promise.all(clients.map((c) => c.close())) };
    });
  }, 180_000);

  it.skipIf(!redisServerPath())(
    "over three instances on one Redis",
    async () => {
      await exactlyAtTheLimits(async (env) => {
        // A Redis per run: each run's limits start from nothing. The instances are stdio
        // processes: HTTP adds nothing to the store's guarantees and caps requests in flight.
        const redis = await startRedis();
        const clients = await Promise.all(
          [1, 2, 3].map(() => connectLive({ ...env, CLICKSEND_REDIS_URL: redis.url })),
        );
        return {
          clients,
          stop: async () => {
            await Promise.all(clients.map((c) => c.close()));
            await redis.stop();
          },
        };
      });
    },
    180_000,
  );
});
