/**
 * The Redis store under the faults issue 22 found: state lost to FLUSHALL or to a restart
 * without persistence (every guard reset, silently), and a late reply (a reservation that lands
 * after the deadline). Each now fails closed and says what may have happened.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createClient } from "@redis/client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { accountScope } from "../src/state/open.js";
import { redisEngine, reinitialiseRedis } from "../src/state/redis.js";
import { SendStore } from "../src/state/store.js";
import { sendSms } from "../tools/sms.js";
import { cleanEnv, ensureBuilt } from "./support/build.js";
import { type Harness, harness } from "./support/harness.js";
import { type Redis, redisServerPath, startRedis } from "./support/redis.js";
import { textOf } from "./support/results.js";

const sms = (body: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ to: "+61411111111", body }],
  ...extra,
});
const posted = (h: Harness) => h.sandbox.requests.filter((r) => r.path === "sms/send").length;

describe.skipIf(!redisServerPath())("the Redis store's faults", () => {
  let redis: Redis | undefined;
  const closing: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  let scopes = 0;

  /** An instance (a harness with its own Redis store) on `url` and the test's scope. */
  const instance = async (
    url: string,
    scope: string,
    sending = {},
    options: Parameters<typeof redisEngine>[2] = {},
  ) => {
    const store = new SendStore(redisEngine(url, scope, options));
    const h = await harness({ sending, store });
    closing.push(
      () => store.close(),
      () => h.close(),
    );
    return h;
  };
  const admin = async (url: string) => {
    const client = createClient({ url });
    await client.connect();
    closing.push(() => client.close());
    return client;
  };

  it("FLUSHALL: every instance refuses, naming the loss and the command, until state init", async () => {
    redis ??= await startRedis();
    const scope = `flush-${scopes++}`;
    const sending = { dailyMessageLimit: 2 };
    const a = await instance(redis.url, scope, sending);
    expect((await a.call(sendSms, sms("before", { idempotency_key: "k" }))).isError).toBeFalsy();
    await (await admin(redis.url)).flushAll();

    const refused = await a.call(sendSms, sms("after flush", { idempotency_key: "k" }));
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("was lost (the state marker");
    expect(textOf(refused)).toContain("clicksend-mcp state init");
    expect(textOf(refused)).toContain("Nothing was sent");
    // An instance started after the loss is refused too: the loss is recorded in Redis.
    const fresh = await instance(redis.url, scope, sending);
    expect(textOf(await fresh.call(sendSms, sms("fresh")))).toContain("was lost");
    expect(posted(a) + posted(fresh)).toBe(1);

    await reinitialiseRedis(redis.url, scope);
    expect((await a.call(sendSms, sms("after init"))).isError).toBeFalsy();
    expect((await fresh.call(sendSms, sms("after init too"))).isError).toBeFalsy();
  });

  it("`clicksend-mcp state init`, run with the servers' environment, lets sends through again", async () => {
    redis ??= await startRedis();
    const probe = await harness({});
    const { baseUrl, credentials } = probe.sandbox;
    await probe.close();
    // The scope the CLI computes from the environment, as a server with it would.
    const scope = accountScope({ kind: "basic", ...credentials }, baseUrl);
    const a = await instance(redis.url, scope);
    await a.call(sendSms, sms("before"));
    await (await admin(redis.url)).flushAll();
    expect(textOf(await a.call(sendSms, sms("lost")))).toContain("was lost");
    const env = cleanEnv({
      CLICKSEND_REDIS_URL: redis.url,
      CLICKSEND_BASE_URL: baseUrl,
      CLICKSEND_USERNAME: credentials.username,
      CLICKSEND_API_KEY: credentials.apiKey,
    });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [await ensureBuilt(), "state", "init"],
      {
        env,
      },
    );
    expect(stdout).toContain(`re-initialised for ${scope} (it had been lost: the state marker`);
    expect((await a.call(sendSms, sms("after init"))).isError).toBeFalsy();
  });

  it("a flush noticed first by a fresh instance: the instances that knew the state refuse, and then all do", async () => {
    redis ??= await startRedis();
    const scope = `fresh-first-${scopes++}`;
    const a = await instance(redis.url, scope);
    expect((await a.call(sendSms, sms("before"))).isError).toBeFalsy();
    await (await admin(redis.url)).flushAll();
    const fresh = await instance(redis.url, scope);
    // The fresh instance cannot tell a flushed Redis from a new one: it starts the state anew.
    expect((await fresh.call(sendSms, sms("fresh"))).isError).toBeFalsy();
    expect(textOf(await a.call(sendSms, sms("old")))).toContain("was replaced by a fresh one");
    expect(textOf(await fresh.call(sendSms, sms("fresh again")))).toContain("was lost");
  });

  it("a Redis without persistence restarted: warned at start, refused after the restart", async () => {
    const first = await startRedis();
    const scope = `restart-${scopes++}`;
    const warnings: string[] = [];
    const a = await instance(first.url, scope, {}, { warn: (m) => warnings.push(m) });
    expect((await a.call(sendSms, sms("before"))).isError).toBeFalsy();
    expect(warnings.join("\n")).toContain("keeps no copy on disk");
    await first.stop();
    const second = await startRedis({ port: first.port });
    closing.push(() => second.stop());
    const refused = await a.call(sendSms, sms("after restart"));
    expect(textOf(refused)).toContain("is gone: Redis was flushed, evicted keys or restarted");
    expect(textOf(refused)).toContain("Nothing was sent");
    expect(posted(a)).toBe(1);
  });

  it("a late reply: reported as 'may have been reserved', never 'nothing was sent'; undone once Redis answers", async () => {
    redis ??= await startRedis();
    const scope = `late-${scopes++}`;
    const a = await instance(redis.url, scope, { dailyMessageLimit: 1 }, { commandTimeoutMs: 300 });
    // The first step connects and loads the scripts.
    await a.call(sendSms, sms("warm", { allow_duplicate: true, idempotency_key: "warm" }));
    const control = await admin(redis.url);
    // Writes (scripts among them) wait; the UNPAUSE below does not.
    await control.sendCommand(["CLIENT", "PAUSE", "60000", "WRITE"]);
    const late = await a.call(sendSms, sms("late", { idempotency_key: "late-key" }));
    await control.sendCommand(["CLIENT", "UNPAUSE"]);
    expect(late.isError).toBe(true);
    expect(textOf(late)).toContain("may have been reserved");
    expect(textOf(late)).toContain("was not posted to ClickSend");
    expect(textOf(late)).not.toMatch(/nothing was sent/i);
    expect(posted(a)).toBe(1);
    // The late reservation reached Redis after its release: it took nothing. The key is free and
    // the limit of 1 is used by "warm" alone.
    const retry = await a.call(sendSms, sms("late", { idempotency_key: "late-key" }));
    expect(textOf(retry)).toContain("1 were sent in the last 24 hours and this call has 1");
  });

  it("three instances, one script call a step", async () => {
    redis ??= await startRedis();
    const scope = `calls-${scopes++}`;
    const engines = [1, 2, 3].map(() => redisEngine((redis as Redis).url, scope));
    closing.push(...engines.map((e) => () => e.close()));
    const request = (i: number) => ({
      id: `r${i}`,
      tag: "t",
      fingerprint: `f${i}`,
      duplicateWindowMs: 600_000,
      messages: 1,
      limits: { dailyMessages: 40 },
    });
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        (engines[i % 3] as (typeof engines)[number]).reserve(request(i), Date.now()),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(40);
    const steps = engines.reduce((n, e) => n + e.stats.steps, 0);
    const calls = engines.reduce((n, e) => n + e.stats.scriptCalls, 0);
    // The first call of each instance may load the script: at most one extra per instance.
    expect(calls).toBeLessThanOrEqual(steps + 3);
  });
});
