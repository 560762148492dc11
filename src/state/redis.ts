import { createClient } from "@redis/client";
import { StateStoreError } from "../errors.js";
import { emptyState, type SendState } from "./ledger.js";
import { AUDIT_DAYS, type AuditRecord, type StateBackend } from "./store.js";

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
export function redisBackend(url: string, scope: string): StateBackend {
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

  return {
    kind: "redis",
    location,
    async transact(step) {
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
    },
    async appendAudit(day, record) {
      await command(async () => {
        await client.rPush(auditKey(day), JSON.stringify(record));
        await client.expire(auditKey(day), (AUDIT_DAYS + 1) * 86_400);
      });
    },
    async readAudit(day) {
      const lines = await command(() => client.lRange(auditKey(day), 0, -1));
      return lines.map((line) => JSON.parse(line) as AuditRecord);
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
