/**
 * The built-in authorization server's store (src/state/oauth-*.ts): one contract on every engine
 * (memory, SQLite in a state directory, Redis), with oidc-provider's adapter semantics as its
 * reference memory adapter has them. Time is the test's clock: the stores expire records by it.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import Provider, { type AdapterPayload } from "oidc-provider";
import { afterAll, describe, expect, it } from "vitest";
import { StateStoreError } from "../src/errors.js";
import { memoryOAuthStore } from "../src/state/oauth-memory.js";
import { openOAuthStore } from "../src/state/oauth-open.js";
import type { OAuthStore } from "../src/state/oauth-store.js";
import { sqlite } from "../src/state/sqlite-module.js";
import { type Redis, redisServerPath, startRedis } from "./support/redis.js";

interface StoreKind {
  name: "memory" | "sqlite" | "redis";
  skip?: string;
  /** A store and, but for memory, a way to open another instance on the same state. */
  make(now: () => number): Promise<{ store: OAuthStore; reopen?: () => Promise<OAuthStore> }>;
  stop(): Promise<void>;
}

function storeKinds(): StoreKind[] {
  return [
    {
      name: "memory",
      make: async (now) => ({ store: memoryOAuthStore({ now }) }),
      stop: async () => {},
    },
    {
      name: "sqlite",
      make: async (now) => {
        const stateDir = mkdtempSync(join(tmpdir(), "cs-oauth-"));
        const open = () =>
          openOAuthStore({ stateDir, sandbox: false, scope: "acct", env: {}, now });
        return { store: await open(), reopen: open };
      },
      stop: async () => {},
    },
    {
      name: "redis",
      ...(redisServerPath() ? {} : { skip: "redis-server is not installed (.ci/run installs it)" }),
      make: async (now) => {
        redis ??= await startRedis();
        const redisUrl = redis.url;
        const scope = `oauth-${process.pid}-${scopes++}`;
        const open = () => openOAuthStore({ redisUrl, sandbox: false, scope, env: {}, now });
        return { store: await open(), reopen: open };
      },
      stop: async () => {
        await redis?.stop();
        redis = undefined;
      },
    },
  ];
}

let redis: Redis | undefined;
let scopes = 0;

const SECOND = 1000;

/**
 * oidc-provider on a store, as the built-in authorization server uses one: its records through
 * the adapter, its signing and cookie keys made once and shared through `once`.
 */
async function providerOn(store: OAuthStore) {
  const jwk = await store.once("signing-keys", () =>
    JSON.stringify(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
    ),
  );
  const cookieKey = await store.once("cookie-keys", () => randomBytes(32).toString("base64url"));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    adapter: (model: string) => store.adapter(model),
    jwks: { keys: [{ ...JSON.parse(jwk), alg: "ES256", use: "sig" }] },
    cookies: { keys: [cookieKey] },
    clientDefaults: { id_token_signed_response_alg: "ES256" },
    features: { devInteractions: { enabled: false }, registration: { enabled: true } },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    provider,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const kind of storeKinds()) {
  describe.skipIf(kind.skip !== undefined)(
    `the ${kind.name} OAuth store${kind.skip ? ` (skipped: ${kind.skip})` : ""}`,
    () => {
      const open: OAuthStore[] = [];
      afterAll(async () => {
        await Promise.all(open.map((store) => store.close()));
        await kind.stop();
      });
      /** A store on the test's clock, `clock.at` ms. */
      const make = async () => {
        const clock = { at: 1_800_000_000_000 };
        const made = await kind.make(() => clock.at);
        open.push(made.store);
        const { reopen } = made;
        return {
          clock,
          store: made.store,
          reopen: reopen
            ? async () => {
                const store = await reopen();
                open.push(store);
                return store;
              }
            : undefined,
        };
      };

      it("finds what was upserted, as it was, and replaces it on a second upsert", async () => {
        const { store } = await make();
        const clients = store.adapter("Client");
        const payload = {
          client_id: "c1",
          redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
          grant_types: [],
          client_name: "Zoë's client",
          extra: { nested: { empty: {}, list: [] } },
        } as unknown as AdapterPayload;
        await clients.upsert("c1", payload);
        expect(await clients.find("c1")).toEqual(payload);
        expect(await clients.find("c2")).toBeUndefined();
        // Another model's record of the same id is another record.
        expect(await store.adapter("Grant").find("c1")).toBeUndefined();
        await clients.upsert("c1", { client_id: "c1", client_name: "renamed" });
        expect(await clients.find("c1")).toEqual({ client_id: "c1", client_name: "renamed" });
      });

      it("hides a record once its expiresIn has passed, and keeps one without expiresIn", async () => {
        const { store, clock } = await make();
        const codes = store.adapter("AuthorizationCode");
        const sessions = store.adapter("Session");
        await codes.upsert("code", { grantId: "g", userCode: "U-1" }, 60);
        await sessions.upsert("s", { uid: "uid-1", accountId: "ann" }, 60);
        await store.adapter("Client").upsert("forever", { client_id: "forever" });
        clock.at += 60 * SECOND - 1;
        expect(await codes.find("code")).toEqual({ grantId: "g", userCode: "U-1" });
        expect(await sessions.findByUid("uid-1")).toEqual({ uid: "uid-1", accountId: "ann" });
        clock.at += 1;
        expect(await codes.find("code")).toBeUndefined();
        expect(await codes.findByUserCode("U-1")).toBeUndefined();
        expect(await sessions.findByUid("uid-1")).toBeUndefined();
        // A consume of an expired record does not bring it back.
        await codes.consume("code");
        expect(await codes.find("code")).toBeUndefined();
        clock.at += 365 * 86_400 * SECOND;
        expect(await store.adapter("Client").find("forever")).toEqual({ client_id: "forever" });
      });

      it("consume marks the record consumed at the store's time in epoch seconds, keeping the rest", async () => {
        const { store, clock } = await make();
        const codes = store.adapter("AuthorizationCode");
        await codes.upsert("code", { grantId: "g", scope: "clicksend:read" }, 600);
        clock.at += 1_500;
        await codes.consume("code");
        expect(await codes.find("code")).toEqual({
          grantId: "g",
          scope: "clicksend:read",
          consumed: Math.floor(clock.at / 1000),
        });
      });

      it("destroy removes the record and what finds it by uid or user code", async () => {
        const { store } = await make();
        const sessions = store.adapter("Session");
        const devices = store.adapter("DeviceCode");
        await sessions.upsert("s", { uid: "uid-1" }, 600);
        await devices.upsert("d", { userCode: "ABCD-EFGH", grantId: "g" }, 600);
        await sessions.destroy("s");
        await devices.destroy("d");
        expect(await sessions.find("s")).toBeUndefined();
        expect(await sessions.findByUid("uid-1")).toBeUndefined();
        expect(await devices.find("d")).toBeUndefined();
        expect(await devices.findByUserCode("ABCD-EFGH")).toBeUndefined();
        await devices.destroy("never-stored");
      });

      it("finds a session by uid and a device code by user code, following an upsert's change", async () => {
        const { store } = await make();
        const sessions = store.adapter("Session");
        const devices = store.adapter("DeviceCode");
        await sessions.upsert("s1", { uid: "uid-1", accountId: "ann" }, 600);
        await sessions.upsert("s2", { uid: "uid-2", accountId: "bob" }, 600);
        await devices.upsert("d1", { userCode: "ABCD-EFGH" }, 600);
        expect(await sessions.findByUid("uid-1")).toEqual({ uid: "uid-1", accountId: "ann" });
        expect(await sessions.findByUid("uid-2")).toEqual({ uid: "uid-2", accountId: "bob" });
        expect(await devices.findByUserCode("ABCD-EFGH")).toEqual({ userCode: "ABCD-EFGH" });
        expect(await devices.findByUserCode("ZZZZ-ZZZZ")).toBeUndefined();
        expect(await store.adapter("AccessToken").findByUserCode("ABCD-EFGH")).toBeUndefined();
        await sessions.upsert("s1", { uid: "uid-3", accountId: "ann" }, 600);
        expect(await sessions.findByUid("uid-1")).toBeUndefined();
        expect(await sessions.findByUid("uid-3")).toEqual({ uid: "uid-3", accountId: "ann" });
      });

      it("revokeByGrantId removes every model's records of that grant, and only those", async () => {
        const { store } = await make();
        const models = ["AccessToken", "RefreshToken", "AuthorizationCode", "DeviceCode"];
        for (const model of models) {
          await store
            .adapter(model)
            .upsert(`${model}-1`, { grantId: "g1", userCode: `${model}-u` }, 600);
          await store.adapter(model).upsert(`${model}-2`, { grantId: "g2" }, 600);
        }
        // One without expiry, and the grant and session themselves: revoking tokens leaves them.
        await store.adapter("RefreshToken").upsert("RefreshToken-3", { grantId: "g1" });
        await store.adapter("Grant").upsert("g1", { accountId: "ann", clientId: "c" }, 600);
        await store.adapter("Session").upsert("s", { uid: "u", authorizations: {} }, 600);

        await store.adapter("AccessToken").revokeByGrantId("g1");

        for (const model of models) {
          expect(await store.adapter(model).find(`${model}-1`), model).toBeUndefined();
          expect(await store.adapter(model).findByUserCode(`${model}-u`), model).toBeUndefined();
          expect(await store.adapter(model).find(`${model}-2`), model).toEqual({ grantId: "g2" });
        }
        expect(await store.adapter("RefreshToken").find("RefreshToken-3")).toBeUndefined();
        expect(await store.adapter("Grant").find("g1")).toEqual({
          accountId: "ann",
          clientId: "c",
        });
        expect(await store.adapter("Session").findByUid("u")).toEqual({
          uid: "u",
          authorizations: {},
        });
        await store.adapter("AccessToken").revokeByGrantId("no-such-grant");
      });

      it("once stores the first value and never overwrites it", async () => {
        const { store } = await make();
        expect(await store.once("cookie-keys", () => "first")).toBe("first");
        let made = 0;
        const again = await store.once("cookie-keys", () => {
          made++;
          return "second";
        });
        expect(again).toBe("first");
        expect(made).toBe(0);
        expect(await store.once("jwks", () => "other")).toBe("other");
      });

      it("once under 20 parallel calls from 3 instances: one value, every caller gets it", async () => {
        const { store, reopen } = await make();
        const stores = reopen ? [store, await reopen(), await reopen()] : [store, store, store];
        let made = 0;
        const values = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (stores[i % 3] as OAuthStore).once("signing-keys", () => `value-${made++}`),
          ),
        );
        expect(new Set(values).size).toBe(1);
        expect(values[0]).toMatch(/^value-\d+$/);
        expect(await store.once("signing-keys", () => "late")).toBe(values[0]);
      });

      it("once: a value another caller stores while this one makes its own is never overwritten", async () => {
        const { store, reopen } = await make();
        const other = reopen ? await reopen() : store;
        let racing: Promise<string> | undefined;
        const mine = await store.once("cookie-keys", () => {
          // Another instance finds none stored either and stores its own first.
          racing = other.once("cookie-keys", () => "theirs");
          return "mine";
        });
        const theirs = await racing;
        expect(mine).toBe(theirs);
        expect(await store.once("cookie-keys", () => "later")).toBe(mine);
        expect(await other.once("cookie-keys", () => "later")).toBe(mine);
      });

      it("carries oidc-provider: a client registered on one instance is found by another, under one set of keys", async () => {
        const { store, reopen } = await make();
        const other = reopen ? await reopen() : store;
        const first = await providerOn(store);
        const second = await providerOn(other);
        try {
          const registered = await fetch(`${first.issuer}/reg`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              redirect_uris: ["https://client.example/callback"],
              token_endpoint_auth_method: "none",
              client_name: "Claude",
            }),
          });
          expect(registered.status, await registered.clone().text()).toBe(201);
          const { client_id } = (await registered.json()) as { client_id: string };
          const found = await second.provider.Client.find(client_id);
          expect(found?.clientName).toBe("Claude");
          expect(found?.tokenEndpointAuthMethod).toBe("none");
          const jwks = async (issuer: string) => (await fetch(`${issuer}/jwks`)).json();
          expect(await jwks(second.issuer)).toEqual(await jwks(first.issuer));
        } finally {
          await first.close();
          await second.close();
        }
      });

      it.skipIf(kind.name === "memory")(
        "keeps records and once values across a close and a reopen, and instances agree",
        async () => {
          const { store, reopen } = await make();
          if (!reopen) throw new Error("no reopen");
          const other = await reopen();
          await store.adapter("Client").upsert("c1", { client_id: "c1" });
          await store.adapter("Session").upsert("s1", { uid: "u1" }, 600);
          const keys = await store.once("signing-keys", () => "private-jwks");
          expect(await other.adapter("Client").find("c1")).toEqual({ client_id: "c1" });
          await other.adapter("Client").destroy("c1");
          expect(await store.adapter("Client").find("c1")).toBeUndefined();
          await store.close();
          await other.close();
          const later = await reopen();
          expect(await later.adapter("Session").findByUid("u1")).toEqual({ uid: "u1" });
          expect(await later.once("signing-keys", () => "new-jwks")).toBe(keys);
        },
      );
    },
  );
}

describe("the SQLite OAuth store's file", () => {
  const stateDir = () => mkdtempSync(join(tmpdir(), "cs-oauth-file-"));

  it.skipIf(process.platform === "win32")(
    "is <scope>.oauth.sqlite beside the send state, 0600 in a directory tightened to 0700",
    async () => {
      const dir = join(stateDir(), "open");
      mkdirSync(dir, { mode: 0o777 });
      chmodSync(dir, 0o777);
      const store = await openOAuthStore({ stateDir: dir, sandbox: false, scope: "acct", env: {} });
      try {
        expect(store.kind).toBe("sqlite");
        await store.once("signing-keys", () => "private");
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(statSync(join(dir, "acct.oauth.sqlite")).mode & 0o777).toBe(0o600);
      } finally {
        await store.close();
      }
    },
  );

  it("deletes expired records at the next write", async () => {
    const dir = stateDir();
    const clock = { at: 1_800_000_000_000 };
    const open = () =>
      openOAuthStore({
        stateDir: dir,
        sandbox: false,
        scope: "acct",
        env: {},
        now: () => clock.at,
      });
    const store = await open();
    try {
      await store.adapter("AccessToken").upsert("old", { grantId: "g" }, 60);
      await store.adapter("Client").upsert("kept", { client_id: "kept" });
      clock.at += 61 * SECOND;
      const rows = () => {
        const db = new (sqlite().DatabaseSync)(join(dir, "acct.oauth.sqlite"));
        try {
          return (
            db.prepare("SELECT id FROM records ORDER BY id").all() as Array<{ id: string }>
          ).map((row) => row.id);
        } finally {
          db.close();
        }
      };
      expect(rows()).toEqual(["kept", "old"]);
      await store.adapter("Session").upsert("new", { uid: "u" }, 60);
      expect(rows()).toEqual(["kept", "new"]);
    } finally {
      await store.close();
    }
  });

  it("refuses a database written by a newer clicksend-mcp with an error, not an empty store", async () => {
    const dir = stateDir();
    const db = new (sqlite().DatabaseSync)(join(dir, "acct.oauth.sqlite"));
    db.exec("PRAGMA user_version = 99");
    db.close();
    const store = await openOAuthStore({ stateDir: dir, sandbox: false, scope: "acct", env: {} });
    try {
      await expect(store.adapter("Client").find("c1")).rejects.toThrow(
        /OAuth state database .*acct\.oauth\.sqlite was written by a newer clicksend-mcp \(schema 99\)/,
      );
      await expect(store.once("signing-keys", () => "new")).rejects.toThrow(/newer clicksend-mcp/);
    } finally {
      await store.close();
    }
  });

  it("a record changed outside clicksend-mcp into something unreadable is an error, not absent", async () => {
    const dir = stateDir();
    const store = await openOAuthStore({ stateDir: dir, sandbox: false, scope: "acct", env: {} });
    try {
      await store.adapter("Grant").upsert("g1", { accountId: "ann" });
      const db = new (sqlite().DatabaseSync)(join(dir, "acct.oauth.sqlite"));
      db.exec("PRAGMA ignore_check_constraints = 1");
      db.exec("UPDATE records SET payload = '{\"secret\": private-canary' WHERE id = 'g1'");
      db.close();
      const error = await store
        .adapter("Grant")
        .find("g1")
        .catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(StateStoreError);
      expect((error as Error).message).toMatch(
        /OAuth state at .*acct\.oauth\.sqlite holds a Grant record that is not JSON/,
      );
      // JSON.parse's own message would quote the stored text.
      expect((error as Error).message).not.toContain("private");
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!redisServerPath())("the Redis OAuth store's keys", () => {
  let own: Redis | undefined;
  afterAll(() => own?.stop());

  it("live under the account's prefix, expire with their record, and a grant's set with its longest", async () => {
    own = await startRedis();
    const scope = `keys-${process.pid}`;
    const store = await openOAuthStore({ redisUrl: own.url, sandbox: false, scope, env: {} });
    const admin = createClient({ url: own.url });
    await admin.connect();
    try {
      const prefix = `clicksend-mcp:{${scope}}:oauth:`;
      await store.adapter("Session").upsert("s1", { uid: "u1" }, 600);
      await store.adapter("DeviceCode").upsert("d1", { userCode: "ABCD", grantId: "g" }, 300);
      await store.adapter("RefreshToken").upsert("r1", { grantId: "g" }, 900);
      await store.once("cookie-keys", () => "secret");
      const keys: string[] = [];
      for await (const batch of admin.scanIterator({ MATCH: "*" })) keys.push(...batch);
      expect(keys.sort()).toEqual(
        [
          "grant:g",
          "once:cookie-keys",
          "rec:DeviceCode:d1",
          "rec:RefreshToken:r1",
          "rec:Session:s1",
          "uid:Session:u1",
          "usercode:DeviceCode:ABCD",
        ].map((key) => prefix + key),
      );
      /** When a key expires, in Redis's epoch ms (-1: never). */
      const expiresAt = async (name: string) =>
        Number(await admin.sendCommand(["PEXPIRETIME", `${prefix}${name}`]));
      // A record and its index, set in one script, expire together.
      const session = await expiresAt("rec:Session:s1");
      expect(session).toBeGreaterThan(0);
      expect(await expiresAt("uid:Session:u1")).toBe(session);
      expect(await expiresAt("usercode:DeviceCode:ABCD")).toBe(
        await expiresAt("rec:DeviceCode:d1"),
      );
      // The grant's set outlives each of its records, and the longest (the refresh token) sets it.
      const grant = await expiresAt("grant:g");
      expect(grant).toBe(await expiresAt("rec:RefreshToken:r1"));
      expect(grant).toBeGreaterThan(await expiresAt("rec:DeviceCode:d1"));
      expect(await admin.pTTL(`${prefix}once:cookie-keys`)).toBe(-1);
      // A grant record without expiry makes the set lasting.
      await store.adapter("AccessToken").upsert("a1", { grantId: "g" });
      expect(await admin.pTTL(`${prefix}grant:g`)).toBe(-1);
    } finally {
      await admin.close();
      await store.close();
    }
  });
});

describe("openOAuthStore", () => {
  it("picks the send state's engine from the same inputs", async () => {
    const base = { sandbox: false, scope: "acct", env: {} };
    const dir = mkdtempSync(join(tmpdir(), "cs-oauth-open-"));
    const cases: Array<[Parameters<typeof openOAuthStore>[0], OAuthStore["kind"]]> = [
      [{ ...base, redisUrl: "redis://127.0.0.1:1", stateDir: dir }, "redis"],
      [{ ...base, stateDir: "memory" }, "memory"],
      [{ ...base, sandbox: true }, "memory"],
      [{ ...base, sandbox: true, stateDir: dir }, "sqlite"],
      [{ ...base, env: { XDG_STATE_HOME: dir } }, "sqlite"],
    ];
    for (const [options, kind] of cases) {
      const store = await openOAuthStore(options);
      expect(store.kind, JSON.stringify(options)).toBe(kind);
      await store.close();
    }
    // Opening touches nothing: the database is made at the first step, under the account's name.
    const store = await openOAuthStore({ ...base, env: { XDG_STATE_HOME: dir } });
    expect(existsSync(join(dir, "clicksend-mcp"))).toBe(false);
    await store.once("k", () => "v");
    await store.close();
    expect(statSync(join(dir, "clicksend-mcp", "acct.oauth.sqlite")).isFile()).toBe(true);
    const sandbox = await openOAuthStore({ ...base, sandbox: true, stateDir: dir });
    await sandbox.once("k", () => "v");
    await sandbox.close();
    expect(statSync(join(dir, "sandbox.oauth.sqlite")).isFile()).toBe(true);
  });
});
