/**
 * What the send state costs a send: send_sms through the whole pipeline against the sandbox,
 * in this process, with the memory store, the file store and Redis, interleaved so the machine's
 * noise falls on all three alike.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox } from "../../sandbox/server.js";
import { createClickSendClient } from "../../src/client.js";
import { createSendingPolicy } from "../../src/sending/policy.js";
import { callTool } from "../../src/server.js";
import { memoryEngine } from "../../src/state/memory.js";
import { stateDirEngine } from "../../src/state/open.js";
import { redisEngine } from "../../src/state/redis.js";
import { SendStore } from "../../src/state/store.js";
import { sendSms } from "../../tools/sms.js";
import { contextFor } from "../support/harness.js";
import { type Redis, redisServerPath, startRedis } from "../support/redis.js";

export interface StoreCost {
  store: string;
  p50: number;
  p99: number;
  addedP50: number;
  addedP99: number;
}

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export async function sendStateCost(sends: number): Promise<StoreCost[]> {
  const sandbox = await startSandbox({ rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } });
  const user = sandbox.state.users[0];
  if (user) user.balance = 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), "clicksend-mcp-bench-state-"));
  let redis: Redis | undefined;
  try {
    if (redisServerPath()) redis = await startRedis();
    const stores: Array<[string, SendStore]> = [
      ["memory", new SendStore(memoryEngine())],
      ["sqlite", new SendStore(stateDirEngine(dir, "bench"))],
      ...(redis
        ? [["redis", new SendStore(redisEngine(redis.url, "bench"))] as [string, SendStore]]
        : []),
    ];
    const client = createClickSendClient({
      baseUrl: sandbox.baseUrl,
      auth: { kind: "basic", ...sandbox.credentials },
      timeoutMs: 10_000,
    });
    const callers = stores.map(([name, store]) => {
      // A daily limit and the duplicate window on, so each send reserves all it can.
      const sending = createSendingPolicy(
        { dailyMessageLimit: 1_000_000, duplicateWindowS: 600 },
        store,
      );
      return {
        name,
        samples: [] as number[],
        call: (i: number) =>
          callTool(
            sendSms,
            { messages: [{ to: "+61411111111", body: `${name} ${i}` }] },
            contextFor(client, sending),
          ),
      };
    });
    for (let i = -20; i < sends; i++) {
      for (const caller of callers) {
        const started = performance.now();
        const result = await caller.call(i);
        if (result.isError) throw new Error(`bench send failed with the ${caller.name} store`);
        if (i >= 0) caller.samples.push(performance.now() - started);
      }
    }
    const base = callers[0] as (typeof callers)[number];
    const baseP50 = quantile(base.samples, 0.5);
    const baseP99 = quantile(base.samples, 0.99);
    await Promise.all(stores.map(([, store]) => store.close()));
    return callers.map((c) => ({
      store: c.name,
      p50: quantile(c.samples, 0.5),
      p99: quantile(c.samples, 0.99),
      addedP50: quantile(c.samples, 0.5) - baseP50,
      addedP99: quantile(c.samples, 0.99) - baseP99,
    }));
  } finally {
    await redis?.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
