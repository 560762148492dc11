/**
 * The OAuth store under the faults the send state's suites meet (send-state-faults,
 * send-state-redis-faults): Redis gone or stalled, a full or read-only disk. Each step fails with
 * an error naming the store, which oidc-provider answers as server_error; none reads as "not
 * found" (a valid absence: an unknown client, a revoked grant) and no write is lost silently.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StateStoreError } from "../src/errors.js";
import { openOAuthStore } from "../src/state/oauth-open.js";
import { redisOAuthStore } from "../src/state/oauth-redis.js";
import type { OAuthStore } from "../src/state/oauth-store.js";
import { type Redis, redisServerPath, startRedis } from "./support/redis.js";
import { mountTmpfs, tmpfsUnavailable } from "./support/tmpfs.js";

/** Every kind of step, each expected to fail with `pattern`. */
async function expectEveryStepFails(store: OAuthStore, pattern: RegExp) {
  const sessions = store.adapter("Session");
  const tokens = store.adapter("AccessToken");
  const steps: Array<[string, () => Promise<unknown>]> = [
    ["find", () => sessions.find("s1")],
    ["findByUid", () => sessions.findByUid("u1")],
    ["findByUserCode", () => store.adapter("DeviceCode").findByUserCode("ABCD")],
    ["upsert", () => sessions.upsert("s2", { uid: "u2" }, 600)],
    ["consume", () => tokens.consume("t1")],
    ["destroy", () => sessions.destroy("s1")],
    ["revokeByGrantId", () => tokens.revokeByGrantId("g1")],
    ["once", () => store.once("new-keys", () => "private")],
  ];
  for (const [name, step] of steps) {
    const error = await step().then(
      (value) => new Error(`${name} answered ${JSON.stringify(value)}`),
      (error: unknown) => error,
    );
    expect(error, name).toBeInstanceOf(StateStoreError);
    expect((error as Error).message, name).toMatch(pattern);
  }
}

describe.skipIf(!redisServerPath())("the Redis OAuth store's faults", () => {
  const started: Redis[] = [];
  const stores: OAuthStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const redis of started) await redis.stop();
  });
  const open = (url: string) => {
    const store = redisOAuthStore(url, "faults", { commandTimeoutMs: 250 });
    stores.push(store);
    return store;
  };

  it("Redis gone: every step is an error naming it, and the store works again once it is back", async () => {
    const redis = await startRedis();
    started.push(redis);
    const store = open(redis.url);
    await store.adapter("Session").upsert("s1", { uid: "u1" }, 600);
    await redis.stop();
    await expectEveryStepFails(
      store,
      /^The OAuth state store \(Redis at redis:\/\/127\.0\.0\.1:\d+\) is unavailable/,
    );
    const back = await startRedis({ port: redis.port });
    started.push(back);
    // A restart without persistence lost the records: everyone signs in again.
    await expect
      .poll(() =>
        store
          .adapter("Session")
          .find("s1")
          .catch(() => "down"),
      )
      .toBeUndefined();
    await store.adapter("Session").upsert("s3", { uid: "u3" }, 600);
    expect(await store.adapter("Session").findByUid("u3")).toEqual({ uid: "u3" });
  });

  it("Redis stalled past the deadline: every step is an error, not an empty answer", async () => {
    const redis = await startRedis();
    started.push(redis);
    const store = open(redis.url);
    await store.adapter("Session").upsert("s1", { uid: "u1" }, 600);
    redis.freeze();
    try {
      await expectEveryStepFails(store, /is unavailable \(no answer within 250 ms\)/);
    } finally {
      redis.thaw();
    }
    // Once Redis answers, so does the store. (A write that timed out may still land then.)
    await store.adapter("Session").upsert("s4", { uid: "u4" }, 600);
    expect(await store.adapter("Session").findByUid("u4")).toEqual({ uid: "u4" });
  });
});

describe.skipIf(tmpfsUnavailable !== undefined)(
  `the SQLite OAuth store on a full or read-only disk${tmpfsUnavailable ? `: skipped, ${tmpfsUnavailable}` : ""}`,
  () => {
    const big = { client_id: "c", notes: "x".repeat(64 * 1024) };

    it("a full disk: writes are errors saying so, nothing written before is lost, and it recovers", async () => {
      const disk = mountTmpfs(1024);
      const stateDir = join(disk.dir, "state");
      const store = await openOAuthStore({ stateDir, sandbox: false, scope: "acct", env: {} });
      try {
        const clients = store.adapter("Client");
        await clients.upsert("before", { client_id: "before" });
        const keys = await store.once("signing-keys", () => "private-jwks");
        disk.fill();
        const file = join(stateDir, "acct.oauth.sqlite");
        const full = new RegExp(
          `^The OAuth state database ${file} cannot be written: the disk is full`,
        );
        await expect(clients.upsert("during", big)).rejects.toThrow(full);
        await expect(store.once("cookie-keys", () => "x".repeat(64 * 1024))).rejects.toThrow(full);
        expect(await clients.find("during")).toBeUndefined();
        expect(await clients.find("before")).toEqual({ client_id: "before" });
        disk.free();
        await clients.upsert("after", big);
        expect(await clients.find("after")).toEqual(big);
        expect(await store.once("signing-keys", () => "other")).toBe(keys);
      } finally {
        await store.close();
        disk.unmount();
      }
    });

    it("a read-only disk: writes are errors naming the file; a read finds the record or fails, never reads it as absent", async () => {
      const disk = mountTmpfs(1024);
      const stateDir = join(disk.dir, "state");
      const first = await openOAuthStore({ stateDir, sandbox: false, scope: "acct", env: {} });
      await first.adapter("Grant").upsert("g1", { accountId: "ann" });
      await first.close();
      disk.readOnly();
      const store = await openOAuthStore({ stateDir, sandbox: false, scope: "acct", env: {} });
      try {
        await expect(store.adapter("Grant").upsert("g2", { accountId: "bob" })).rejects.toThrow(
          /^The OAuth state database .*acct\.oauth\.sqlite (cannot be written: it or its directory is read-only|cannot be opened)/,
        );
        await expect(store.once("cookie-keys", () => "secret")).rejects.toThrow(
          /OAuth state database/,
        );
        const found = await store
          .adapter("Grant")
          .find("g1")
          .catch((error: unknown) => error);
        if (found instanceof Error) expect(found).toBeInstanceOf(StateStoreError);
        else expect(found).toEqual({ accountId: "ann" });
      } finally {
        await store.close();
        disk.readWrite();
        disk.unmount();
      }
    });
  },
);
