/**
 * What the send state costs a send: send_sms through the whole pipeline against the sandbox.
 * - one send at a time, in this process, with the memory, SQLite and Redis stores interleaved
 *   so the machine's noise falls on all alike; then memory and SQLite again, each holding 10,000
 *   recipient x text entries in the duplicate window and 10,000 issued previews;
 * - 64 sends at a time through this process, memory store against Redis, and the script calls
 *   per step;
 * - 64 sends at a time over one and over three HTTP instances sharing one Redis.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { type Sandbox, startSandbox } from "../../sandbox/server.js";
import { createClickSendClient } from "../../src/client/client.js";
import { callTool } from "../../src/protocol/server.js";
import { createSendingPolicy } from "../../src/sending/policy.js";
import { memoryEngine } from "../../src/state/memory.js";
import { stateDirEngine } from "../../src/state/open.js";
import { redisEngine } from "../../src/state/redis.js";
import { SendStore } from "../../src/state/store.js";
import { sendSms } from "../../tools/sms.js";
import { contextFor } from "../support/harness.js";
import { connectHttp } from "../support/http.js";
import { type Redis, redisServerPath, startRedis } from "../support/redis.js";

export interface StoreCost {
  store: string;
  p50: number;
  p99: number;
  addedP50: number;
  addedP99: number;
  /** p50 over the memory store's p50 in the same run. */
  ratioP50: number;
}

export interface SendStateFigures {
  sequential: StoreCost[];
  /** Memory and SQLite each holding FILLED window entries and FILLED issued previews. */
  filled: StoreCost[];
  filledEntries: number;
  /** 64 sends at a time in this process: sends per second. */
  concurrent?: {
    clients: number;
    memory: number;
    redis: number;
    ratio: number;
    callsPerStep: number;
  };
  /** 64 sends at a time over HTTP instances on one Redis: sends per second. */
  instances?: {
    clients: number;
    one: number;
    three: number;
    ratio: number;
    /** Average cores busy: the bench process with one instance, one instance, three together. */
    cores: { bench: number; one: number; three: number };
  };
}

const FILLED = 10_000;
const CLIENTS = 64;

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

function caller(sandbox: Sandbox, name: string, store: SendStore) {
  const client = createClickSendClient({
    baseUrl: sandbox.baseUrl,
    auth: { kind: "basic", ...sandbox.credentials },
    timeoutMs: 30_000,
  });
  // A daily limit and the duplicate window on, so each send reserves all it can.
  const sending = createSendingPolicy(
    { dailyMessageLimit: 1_000_000, duplicateWindowS: 600 },
    store,
  );
  let n = 0;
  return {
    name,
    store,
    samples: [] as number[],
    call: async () => {
      const body = `${name} ${n++}`;
      const result = await callTool(
        sendSms,
        { messages: [{ to: "+61411111111", body }] },
        contextFor(client, sending),
      );
      if (result.isError) throw new Error(`bench send failed with the ${name} store`);
    },
  };
}

type Caller = ReturnType<typeof caller>;

/** Sends one at a time, round robin over the callers; p50 and p99 against the first. */
async function sequential(callers: Caller[], sends: number): Promise<StoreCost[]> {
  for (let i = -20; i < sends; i++) {
    for (const c of callers) {
      const started = performance.now();
      await c.call();
      if (i >= 0) c.samples.push(performance.now() - started);
    }
  }
  const base = callers[0] as Caller;
  const baseP50 = quantile(base.samples, 0.5);
  const baseP99 = quantile(base.samples, 0.99);
  return callers.map((c) => ({
    store: c.name,
    p50: quantile(c.samples, 0.5),
    p99: quantile(c.samples, 0.99),
    addedP50: quantile(c.samples, 0.5) - baseP50,
    addedP99: quantile(c.samples, 0.99) - baseP99,
    ratioP50: quantile(c.samples, 0.5) / baseP50,
  }));
}

/** `sends` sends, `clients` at a time: sends per second. */
async function rate(send: () => Promise<unknown>, sends: number, clients: number) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < sends) await send();
    }),
  );
  return (sends / (performance.now() - started)) * 1000;
}

/** What a list send to FILLED numbers and FILLED unused previews leave in a store. */
async function fill(store: SendStore): Promise<void> {
  const contents = Array.from({ length: FILLED }, (_, i) => `fill-${i}`);
  const id = `fill-${Date.now()}`;
  const request = { id, tag: "fill", fingerprint: id, contents, duplicateWindowMs: 3_600_000 };
  await store.reserve({ ...request, messages: FILLED, limits: {} });
  await store.settle(id, { outcome: "sent" });
  for (let i = 0; i < FILLED; i++) {
    await store.issue({ token: `preview-${i}`, payload: `p${i}`, channel: "sms", ttlMs: 600_000 });
  }
}

export async function sendStateCost(sends: number): Promise<SendStateFigures> {
  const sandbox = await startSandbox({ rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } });
  const user = sandbox.state.users[0];
  if (user) user.balance = 1_000_000_000;
  const dirs = [1, 2].map(() => mkdtempSync(join(tmpdir(), "clicksend-mcp-bench-state-")));
  let redis: Redis | undefined;
  const stores: SendStore[] = [];
  const store = (engine: ConstructorParameters<typeof SendStore>[0]) => {
    const made = new SendStore(engine);
    stores.push(made);
    return made;
  };
  try {
    if (redisServerPath()) redis = await startRedis();
    const callers = [
      caller(sandbox, "memory", store(memoryEngine())),
      caller(sandbox, "sqlite", store(stateDirEngine(dirs[0] as string, "bench"))),
      ...(redis ? [caller(sandbox, "redis", store(redisEngine(redis.url, "bench")))] : []),
    ];
    process.stderr.write(`  one at a time: ${sends} sends with each store...\n`);
    const figures: SendStateFigures = {
      sequential: await sequential(callers, sends),
      filled: [],
      filledEntries: FILLED,
    };

    process.stderr.write(`  with ${FILLED} window entries and ${FILLED} previews...\n`);
    const filled = [
      caller(sandbox, "memory, filled", store(memoryEngine())),
      caller(sandbox, "sqlite, filled", store(stateDirEngine(dirs[1] as string, "bench"))),
    ];
    for (const c of filled) await fill(c.store);
    figures.filled = await sequential(filled, sends);

    if (redis) {
      process.stderr.write(`  ${CLIENTS} at a time in this process, memory and redis...\n`);
      const engine = redisEngine(redis.url, "bench-concurrent");
      const concurrent = [
        caller(sandbox, "memory", store(memoryEngine())),
        caller(sandbox, "redis", store(engine)),
      ] as const;
      for (const c of concurrent) await rate(c.call, 100, CLIENTS);
      const before = { ...engine.stats };
      const memory = await rate(concurrent[0].call, sends * 4, CLIENTS);
      const onRedis = await rate(concurrent[1].call, sends * 4, CLIENTS);
      const steps = engine.stats.steps - before.steps;
      figures.concurrent = {
        clients: CLIENTS,
        memory,
        redis: onRedis,
        ratio: onRedis / memory,
        callsPerStep: (engine.stats.scriptCalls - before.scriptCalls) / steps,
      };
      process.stderr.write(`  ${CLIENTS} at a time over one and three HTTP instances...\n`);
      figures.instances = await overInstances(sandbox, redis, sends * 4);
    }
    return figures;
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
    await sandbox.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends per second with CLIENTS sends at a time, spread over one, then three, instances. */
async function overInstances(sandbox: Sandbox, redis: Redis, sends: number) {
  const env = {
    CLICKSEND_BASE_URL: sandbox.baseUrl,
    CLICKSEND_USERNAME: sandbox.credentials.username,
    CLICKSEND_API_KEY: sandbox.credentials.apiKey,
    CLICKSEND_REDIS_URL: redis.url,
    CLICKSEND_DAILY_MESSAGE_LIMIT: "100000000",
    CLICKSEND_DUPLICATE_WINDOW_S: "600",
  };
  const measure = async (count: number) => {
    const servers = await Promise.all(Array.from({ length: count }, () => startInstance(env)));
    const clients: Client[] = [];
    try {
      for (let i = 0; i < CLIENTS; i++) {
        clients.push(await connectHttp((servers[i % count] as Instance).url, {}));
      }
      let n = 0;
      const send = async (client: Client) => {
        const result = (await client.callTool({
          name: "send_sms",
          arguments: { messages: [{ to: "+61411111111", body: `i${count} ${n++}` }] },
        })) as CallToolResult;
        if (result.isError) throw new Error("bench send over HTTP failed");
      };
      let next = 0;
      const run = async (total: number) => {
        next = 0;
        const started = performance.now();
        const cpu = { bench: process.cpuUsage(), servers: servers.map((s) => s.cpuMs()) };
        await Promise.all(
          clients.map(async (client) => {
            while (next++ < total) await send(client);
          }),
        );
        const wall = performance.now() - started;
        const bench = process.cpuUsage(cpu.bench);
        const serversMs = servers.reduce((sum, s, i) => sum + s.cpuMs() - (cpu.servers[i] ?? 0), 0);
        return {
          rate: (total / wall) * 1000,
          // Cores busy on average: the bench (its clients and the sandbox) and the instances.
          benchCores: (bench.user + bench.system) / 1000 / wall,
          serverCores: serversMs / wall,
        };
      };
      await run(CLIENTS * 2);
      return await run(sends);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
    }
  };
  const one = await measure(1);
  const three = await measure(3);
  return {
    clients: CLIENTS,
    one: one.rate,
    three: three.rate,
    ratio: three.rate / one.rate,
    cores: { bench: one.benchCores, one: one.serverCores, three: three.serverCores },
  };
}

/** The built server (dist/cli.js beside this file's dist/test/bench/) over HTTP, live mode. */
const CLI = fileURLToPath(new URL("../../cli.js", import.meta.url));

interface Instance {
  url: string;
  /** CPU time the process has used, user and system (Linux /proc; 0 elsewhere). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [CLI, "--http", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      const found = /Streamable HTTP at (http:\S+)/.exec(err);
      if (found?.[1]) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}: ${err}`)));
  });
  return {
    url,
    cpuMs: () => cpuMsOf(child.pid),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
