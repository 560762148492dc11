import type { Adapter, AdapterPayload } from "oidc-provider";
import { StateStoreError } from "../errors.js";
import { epochSeconds, indexesOf, parsePayload, untilOf } from "./oauth-records.js";
import { CONSUME, DESTROY, REVOKE, UPSERT } from "./oauth-redis-scripts.js";
import type { OAuthStore } from "./oauth-store.js";
import { redactUrl, redisPrefix } from "./redis.js";
import { type RedisScript, redisConnection, redisScript, runScript } from "./redis-connection.js";

const SCRIPTS = {
  upsert: redisScript(UPSERT),
  destroy: redisScript(DESTROY),
  consume: redisScript(CONSUME),
  revoke: redisScript(REVOKE),
};

export interface RedisOAuthStoreOptions {
  /** "redis" (the default): records expire by Redis's clock alone. "caller": also by `now` (tests). */
  clock?: "redis" | "caller";
  now?: () => number;
  commandTimeoutMs?: number;
}

/** The OAuth store's keys: under the account's send state prefix, so one scope holds both. */
export const oauthRedisPrefix = (scope: string) => `${redisPrefix(scope)}oauth:`;

/**
 * The OAuth store in Redis, shared by every instance behind a load balancer. Each write is one
 * script, atomic in Redis; records and their indexes carry expiries (PEXPIREAT) so Redis forgets them
 * when they end. A Redis that is down or slow makes every step an error (oidc-provider answers
 * server_error), never an empty answer. Lost state (FLUSHALL, a restart without persistence)
 * needs no marker here, unlike the send state: it reads as clients, grants and sessions gone and
 * new keys, so everyone registers and signs in again, and nothing is allowed that was not.
 */
export function redisOAuthStore(
  url: string,
  scope: string,
  options: RedisOAuthStoreOptions = {},
): OAuthStore {
  const location = redactUrl(url);
  const prefix = oauthRedisPrefix(scope);
  const now = options.now ?? Date.now;
  const connection = redisConnection(url, options.commandTimeoutMs);
  const { client, withDeadline } = connection;

  const unavailable = (error: unknown) =>
    new StateStoreError(
      `The OAuth state store (Redis at ${location}) is unavailable (${
        error instanceof Error ? error.message.slice(0, 120) : "error"
      }), so sign-ins and tokens cannot be checked or issued.`,
    );

  /** One step against Redis, within the deadline; any failure is an error. */
  async function step<T>(run: () => Promise<T>): Promise<T> {
    try {
      await withDeadline(connection.ready);
      return await withDeadline(run);
    } catch (error) {
      throw error instanceof StateStoreError ? error : unavailable(error);
    }
  }

  const recordKey = (model: string, id: string) => `${prefix}rec:${model}:${id}`;
  const write = (script: RedisScript, key: string, args: string[]) =>
    step(() => runScript(client, script, { keys: [key], arguments: [prefix, ...args] }));

  async function find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const [payload, until, consumed] = (await step(() =>
      client.hmGet(recordKey(model, id), ["payload", "until", "consumed"]),
    )) as Array<string | null>;
    if (payload == null) return undefined;
    if (options.clock === "caller" && until != null && Number(until) <= now()) return undefined;
    const record = parsePayload(payload, model, location);
    if (consumed != null) record.consumed = Number(consumed);
    return record;
  }

  async function findBy(kind: "uid" | "usercode", model: string, value: string) {
    const id = await step(() => client.get(`${prefix}${kind}:${model}:${value}`));
    return id == null ? undefined : find(model, String(id));
  }

  const adapter = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const at = now();
      const until = untilOf(expiresIn, at);
      const { grantId, userCode, uid } = indexesOf(model, payload);
      await write(SCRIPTS.upsert, recordKey(model, id), [
        model,
        id,
        JSON.stringify(payload),
        until === undefined ? "" : String(Math.max(1, until - at)),
        until === undefined ? "" : String(until),
        grantId ?? "",
        userCode ?? "",
        uid ?? "",
      ]);
    },
    find: (id) => find(model, id),
    findByUid: (uid) => findBy("uid", model, uid),
    findByUserCode: (userCode) => findBy("usercode", model, userCode),
    async consume(id) {
      await write(SCRIPTS.consume, recordKey(model, id), [model, id, String(epochSeconds(now()))]);
    },
    async destroy(id) {
      await write(SCRIPTS.destroy, recordKey(model, id), [model, id]);
    },
    async revokeByGrantId(grantId) {
      await write(SCRIPTS.revoke, `${prefix}grant:${grantId}`, [model, grantId]);
    },
  });

  return {
    kind: "redis",
    adapter,
    async once(name, make) {
      const key = `${prefix}once:${name}`;
      const stored = await step(() => client.get(key));
      if (stored != null) return String(stored);
      const value = make();
      const first = await step(async () => {
        await client.set(key, value, { NX: true });
        return client.get(key);
      });
      if (first == null) throw unavailable(new Error(`${name} vanished as it was stored`));
      return String(first);
    },
    close: () => connection.close(),
  };
}
