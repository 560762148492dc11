import { createClient } from "@redis/client";
import { StateStoreError } from "../errors.js";
import { emptyState, issue, reserve, type SendState, settle } from "./json-ledger.js";
import { AUDIT_DAYS, type AuditRecord, type SendStateEngine } from "./store.js";

/** Each Redis command must answer within this, or the send fails closed. */
const COMMAND_TIMEOUT_MS = 3_000;
/** Optimistic transactions retried this often under contention before giving up. */
const MAX_ATTEMPTS = 200;

/**
 * Writes the new state only if no other instance wrote since we read it (compare-and-set on a
 * version number), so the ledger's pure steps stay atomic across instances without a lock.
 */
const COMPARE_AND_SET = `
local version = redis.call('HGET', KEYS[1], 'v') or '0'
if version ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(version) + 1), 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** Two days: the ledger keeps nothing longer than 24 hours. */
const STATE_TTL_MS = 2 * 86_400_000;

/**
 * State in Redis, for several HTTP instances behind a load balancer. A Redis that is down makes
 * sends fail closed (StateStoreError: nothing was sent); reads do not touch it.
 */
export function redisEngine(
  url: string,
  scope: string,
  _options: { clock?: "redis" | "caller" } = {},
): SendStateEngine {
  const location = redactUrl(url);
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: COMMAND_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  // Without a listener node-redis throws connection errors; each command reports its own.
  client.on("error", () => {});
  let connecting: Promise<unknown> | undefined;
  const stateKey = `clicksend-mcp:${scope}:state`;
  const auditKey = (day: string) => `clicksend-mcp:${scope}:audit:${day}`;

  const unavailable = (error: unknown) =>
    new StateStoreError(
      `The send state store (Redis at ${location}) is unavailable (${
        error instanceof Error ? error.message.slice(0, 120) : "error"
      }), so the limits and duplicate checks cannot be applied.`,
    );

  /** Runs a command with a deadline; any failure becomes a StateStoreError. */
  async function command<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!client.isReady) {
        connecting ??= client.connect().finally(() => {
          connecting = undefined;
        });
      }
      const work = (async () => {
        if (connecting) await connecting;
        return run();
      })();
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), COMMAND_TIMEOUT_MS);
      });
      return await Promise.race([work, deadline]);
    } catch (error) {
      throw unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async function transact<T>(step: (state: SendState) => { state: SendState; value: T }) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await command(() => client.hGetAll(stateKey));
      const version = stored.v ?? "0";
      const result = step(parseState(stored.s, location));
      const written = await command(() =>
        client.eval(COMPARE_AND_SET, {
          keys: [stateKey],
          arguments: [version, JSON.stringify(result.state), String(STATE_TTL_MS)],
        }),
      );
      if (written === 1) return result.value;
      // Another instance wrote first: back off a little and decide again on fresh state.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (1 + attempt)));
    }
    throw new StateStoreError(
      `The send state in Redis at ${location} is too contended to update; try again.`,
    );
  }

  return {
    kind: "redis",
    location,
    reserve: (request, now) => transact((state) => reserve(state, request, now)),
    issue: async (request, now) => {
      await transact((state) => issue(state, request, now));
    },
    settle: async (id, settlement, now) => {
      await transact((state) => settle(state, id, settlement, now));
    },
    async appendAudit(record) {
      const day = record.at.slice(0, 10);
      await command(async () => {
        await client.rPush(auditKey(day), JSON.stringify(record));
        await client.expire(auditKey(day), (AUDIT_DAYS + 1) * 86_400);
      });
    },
    async readAudit(day, page) {
      const lines = await command(() => client.lRange(auditKey(day), 0, -1));
      const latest = new Map<string, AuditRecord>();
      for (const line of lines) {
        const record = JSON.parse(line) as AuditRecord;
        latest.set(record.id, record);
      }
      const all = [...latest.values()];
      const from = page.after !== undefined ? Number(page.after) || 0 : 0;
      const records = all.slice(from, from + page.limit);
      return {
        records,
        ...(from + page.limit < all.length ? { next: String(from + page.limit) } : {}),
      };
    },
    async close() {
      if (client.isOpen) await client.close().catch(() => client.destroy());
    },
  };
}

function parseState(text: string | undefined, location: string): SendState {
  if (text === undefined) return emptyState();
  try {
    const state = JSON.parse(text) as SendState;
    if (state?.v !== 1) throw new Error("shape");
    return state;
  } catch {
    throw new StateStoreError(
      `The send state in Redis at ${location} is corrupt; delete the key clicksend-mcp:*:state to reset it (its counts and idempotency keys are then forgotten).`,
    );
  }
}

/** redis://user:secret@host:6379/0 -> redis://host:6379/0: a URL may carry a password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Everything kept for one scope, as text: for tests that look for secrets in it. */
export async function dumpRedis(url: string, scope: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    const parts: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: `clicksend-mcp:${scope}:*` })) {
      for (const key of keys) parts.push(key, JSON.stringify(await client.dump(key)));
    }
    return parts.join("\n");
  } finally {
    await client.close();
  }
}
