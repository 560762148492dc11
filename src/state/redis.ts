import { randomBytes } from "node:crypto";
import { createClient } from "@redis/client";
import { StateStoreError, ToolError } from "../errors.js";
import {
  contentsOf,
  fromUnits,
  keyHashOf,
  personKeyOf,
  type Refusal,
  type ReserveRequest,
  sha256,
  toUnits,
} from "./ledger.js";
import { redisConnection, redisScript, runScript } from "./redis-connection.js";
import { AUDIT, DECLINE, ISSUE, OPT_OUT_MARK, RESERVE, SETTLE } from "./redis-scripts.js";
import { AUDIT_DAYS, type AuditRecord, oldestAuditDayKept, type SendStateEngine } from "./store.js";

export { COMMAND_TIMEOUT_MS } from "./redis-connection.js";

/** An instance's liveness lease, renewed at a third of it: a killed one's sends read as maybe sent after it. */
const LEASE_MS = 15_000;

/**
 * A reservation whose fate is unknown: the command reached (or may have reached) Redis but its
 * answer did not come back in time, and undoing it failed too. This send was not posted, but its
 * idempotency key and counts may stand until the reservation expires.
 */
export class ReservationUnknownError extends ToolError {
  override name = "ReservationUnknownError";
  readonly outcome = "not_sent" as const;
  override readonly explainsOutcome = true;
}

export interface RedisEngineOptions {
  /** "redis" (the default): every step's time is Redis's TIME. "caller": the step's `now` (tests). */
  clock?: "redis" | "caller";
  commandTimeoutMs?: number;
  /** Told once, at the first connection, when Redis keeps no copy of the state on disk. */
  warn?: (message: string) => void;
}

export interface RedisStats {
  steps: number;
  scriptCalls: number;
}

export const redisPrefix = (scope: string) => `clicksend-mcp:{${scope}}:`;

const SCRIPTS = {
  reserve: redisScript(RESERVE),
  issue: redisScript(ISSUE),
  decline: redisScript(DECLINE),
  settle: redisScript(SETTLE),
  audit: redisScript(AUDIT),
  optOutMark: redisScript(OPT_OUT_MARK),
} as const;
type ScriptName = keyof typeof SCRIPTS;

/**
 * State in Redis, for several HTTP instances behind a load balancer. Each step is one script
 * (EVALSHA) over per-record keys, atomic in Redis, never retried for contention. A Redis that is
 * down makes sends fail closed (nothing was sent); lost state makes every step fail closed until
 * an operator runs `clicksend-mcp state init`; reads do not touch it.
 */
export function redisEngine(
  url: string,
  scope: string,
  options: RedisEngineOptions = {},
): SendStateEngine & { stats: RedisStats } {
  const location = redactUrl(url);
  const prefix = redisPrefix(scope);
  const me = randomBytes(8).toString("hex");
  const stats: RedisStats = { steps: 0, scriptCalls: 0 };
  const connection = redisConnection(url, options.commandTimeoutMs);
  const { client, withDeadline } = connection;
  let marker = "";
  let lease: NodeJS.Timeout | undefined;
  let checkedPersistence = false;

  const unavailable = (error: unknown) =>
    new StateStoreError(
      `The send state store (Redis at ${location}) is unavailable (${
        error instanceof Error ? error.message.slice(0, 120) : "error"
      }), so the limits and duplicate checks cannot be applied.`,
    );

  const renewLease = () =>
    client.set(`${prefix}alive:${me}`, "1", { PX: LEASE_MS }).catch(() => undefined);

  // A reconnection may reach a Redis that restarted: the lease is written again.
  client.on("ready", () => void renewLease());

  async function ready(): Promise<void> {
    await connection.ready();
    if (!lease) {
      lease = setInterval(renewLease, LEASE_MS / 3);
      lease.unref();
    }
    if (!checkedPersistence) {
      checkedPersistence = true;
      void warnWithoutPersistence(client, location, options.warn);
    }
  }

  /** One step: EVALSHA of its script (loaded once, or again after Redis lost its scripts). */
  async function script(name: ScriptName, step: unknown, now: number) {
    const args = [
      prefix,
      marker,
      options.clock === "caller" ? String(Math.round(now)) : "",
      `${randomBytes(8).toString("hex")}:auto`,
      JSON.stringify(step),
    ];
    const keys = [`${prefix}marker`];
    const reply = await runScript(client, SCRIPTS[name], { keys, arguments: args }, () => {
      stats.scriptCalls++;
    });
    const answer = JSON.parse(String(reply)) as { lost?: string; marker?: string } & Record<
      string,
      unknown
    >;
    if (answer.lost) {
      throw new StateStoreError(
        `The send state in Redis at ${location} was lost (${answer.lost}), so the daily limits, idempotency keys and duplicate window cannot be trusted. Sends are refused until an operator checks ClickSend's message history and runs \`clicksend-mcp state init\` with this server's environment (docs/send-state.md).`,
      );
    }
    if (answer.marker) marker = answer.marker;
    return answer;
  }

  /** A step in one script call, failing closed with what may have happened. */
  async function step(name: ScriptName, payload: unknown, now: number) {
    stats.steps++;
    try {
      await withDeadline(ready);
    } catch (error) {
      throw unavailable(error);
    }
    try {
      return await withDeadline(() => script(name, payload, now));
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      if (String((error as Error)?.message).includes("TAMPERED")) {
        throw new StateStoreError(
          `The send state in Redis at ${location} holds a value no send writes (${String((error as Error).message).slice(0, 120)}): it was changed outside clicksend-mcp, so the limits cannot be trusted. Nothing was reset.`,
        );
      }
      throw Object.assign(unavailable(error), { mayHaveLanded: true });
    }
  }

  return {
    kind: "redis",
    location,
    stats,
    async reserve(request, now) {
      const keyHash = keyHashOf(request);
      const payload = {
        id: request.id,
        tag: request.tag,
        ...(keyHash ? { key: keyHash } : {}),
        fp: request.fingerprint,
        contents: contentsOf(request),
        window: request.duplicateWindowMs,
        messages: request.messages,
        amount: toUnits(request.amount ?? 0),
        ...(request.limits.dailyMessages !== undefined
          ? { limitMessages: request.limits.dailyMessages }
          : {}),
        ...(request.limits.dailySpend !== undefined
          ? { limitSpend: toUnits(request.limits.dailySpend) }
          : {}),
        ...(request.confirmation
          ? {
              conf: {
                hash: sha256(request.confirmation.token),
                payload: request.confirmation.payload,
              },
            }
          : {}),
        ...(request.preview
          ? {
              prev: { hash: sha256(request.preview.token), payload: request.preview.payload },
            }
          : {}),
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
        ...(request.answered ? { answered: true } : {}),
        ...personOfScript(request),
        owner: me,
      };
      let answer: Record<string, unknown>;
      try {
        answer = await step("reserve", payload, now);
      } catch (error) {
        if (!(error as { mayHaveLanded?: boolean }).mayHaveLanded) throw error;
        throw await undoReservation(request.id, now, error as StateStoreError);
      }
      if (answer.ok) return { ok: true };
      if (answer.released) throw unavailable(new Error("the reservation was already released"));
      return { ok: false, refusal: fromScript(answer.refusal as Refusal) };
    },
    async issue(request, now) {
      await step(
        "issue",
        {
          hash: sha256(request.token),
          ttl: request.ttlMs,
          payload: request.payload,
          channel: request.channel,
        },
        now,
      );
    },
    async decline(request, now) {
      await step(
        "decline",
        { hash: sha256(request.token), payload: request.payload, ttl: Math.max(1, request.ttlMs) },
        now,
      );
    },
    async settle(id, settlement, now) {
      await step(
        "settle",
        {
          id,
          outcome: settlement.outcome,
          ...(settlement.messages !== undefined ? { messages: settlement.messages } : {}),
          ...(settlement.amount !== undefined ? { amount: toUnits(settlement.amount) } : {}),
          ...(settlement.outcome === "sent" && settlement.result
            ? { result: JSON.stringify(settlement.result) }
            : {}),
        },
        now,
      );
    },
    async appendAudit(record) {
      const day = record.at.slice(0, 10);
      await step(
        "audit",
        {
          id: record.id,
          day,
          record: JSON.stringify(record),
          oldest: oldestAuditDayKept(day),
          ttl: (AUDIT_DAYS + 1) * 86_400,
        },
        Date.parse(record.at),
      );
    },
    async readAudit(day, page) {
      try {
        await withDeadline(ready);
        return await withDeadline(async () => {
          const after = page.after !== undefined && /^\d+$/.test(page.after) ? page.after : "0";
          const ids = (await client.sendCommand([
            "ZRANGEBYSCORE",
            `${prefix}audit:${day}`,
            `(${after}`,
            "+inf",
            "WITHSCORES",
            "LIMIT",
            "0",
            String(page.limit + 1),
          ])) as string[];
          // RESP2 answers id, score, id, score; RESP3 [id, score] pairs.
          const flat = (ids as unknown[]).flat().map(String);
          const entries: Array<{ id: string; seq: string }> = [];
          for (let i = 0; i + 1 < flat.length; i += 2) {
            entries.push({ id: flat[i] as string, seq: flat[i + 1] as string });
          }
          const shown = entries.slice(0, page.limit);
          const records = shown.length
            ? ((await client.sendCommand([
                "HMGET",
                `${prefix}auditrec:${day}`,
                ...shown.map((e) => e.id),
              ])) as Array<string | null>)
            : [];
          const last = shown.at(-1);
          return {
            records: records.flatMap((text) =>
              text ? [JSON.parse(String(text)) as AuditRecord] : [],
            ),
            ...(entries.length > page.limit && last ? { next: last.seq } : {}),
          };
        });
      } catch (error) {
        throw unavailable(error);
      }
    },
    async markOptedOut(hashes, ttlMs, now) {
      await step("optOutMark", { hashes, ttl: ttlMs }, now);
    },
    /**
     * A read (MGET), not a script: a mark's key expires when the mark ends, by Redis's clock. The
     * state marker is not checked here: the reservation or confirmation step that follows in the
     * same call checks it, and refuses on lost state.
     */
    async optedOut(hashes, now) {
      try {
        await withDeadline(ready);
        const values = (await withDeadline(() =>
          client.sendCommand(["MGET", ...hashes.map((hash) => `${prefix}optout:${hash}`)]),
        )) as Array<string | null>;
        return new Set(
          hashes.filter((_, i) => {
            const until = values[i];
            return until != null && (options.clock !== "caller" || Number(until) > now);
          }),
        );
      } catch (error) {
        throw unavailable(error);
      }
    },
    async close() {
      clearInterval(lease);
      if (!client.isOpen) return;
      await client.del(`${prefix}alive:${me}`).catch(() => undefined);
      await connection.close();
    },
  };

  /**
   * A reservation whose answer did not come: release it (the release runs after it in Redis, and
   * a reservation arriving after its release takes nothing). If the release is answered, nothing
   * was reserved or sent; if not, say that it may have been reserved.
   */
  async function undoReservation(id: string, now: number, cause: StateStoreError) {
    const why = cause.message.match(/unavailable \((.*?)\), so/)?.[1] ?? "no answer";
    try {
      await withDeadline(() => script("settle", { id, outcome: "not_sent" }, now));
      return cause;
    } catch {
      return new ReservationUnknownError(
        `The send state store (Redis at ${location}) is unavailable or did not answer in time (${why}) after the reservation was sent to it, so the send may have been reserved there: its idempotency key may read as in progress and its messages may count against the daily limits until the reservation expires. This send was not posted to ClickSend; it is safe to retry once Redis answers.`,
      );
    }
  }
}

/** The person a reservation counts against, as the reserve script reads it (amounts in units). */
function personOfScript(request: ReserveRequest) {
  const key = personKeyOf(request);
  const person = request.person;
  if (!key || !person) return {};
  return {
    person: {
      key,
      ...(person.dailyMessages !== undefined ? { limitMessages: person.dailyMessages } : {}),
      ...(person.dailySpend !== undefined ? { limitSpend: toUnits(person.dailySpend) } : {}),
    },
  };
}

/** A refusal as the script wrote it, amounts back in currency. */
function fromScript(refusal: Refusal): Refusal {
  if (refusal.kind === "daily_spend" || refusal.kind === "person_daily_spend") {
    return {
      ...refusal,
      limit: fromUnits(refusal.limit),
      used: fromUnits(refusal.used),
      requested: fromUnits(refusal.requested),
    };
  }
  if (refusal.kind === "duplicate") {
    return { ...refusal, matched: Array.isArray(refusal.matched) ? refusal.matched : [] };
  }
  return refusal;
}

/** At the first connection: a warning when Redis keeps nothing on disk or may evict the state. */
async function warnWithoutPersistence(
  client: { sendCommand(args: string[]): Promise<unknown> },
  location: string,
  warn: ((message: string) => void) | undefined,
): Promise<void> {
  if (!warn) return;
  try {
    const config = (name: string) =>
      client.sendCommand(["CONFIG", "GET", name]) as Promise<string[]>;
    const [save, aof, policy] = await Promise.all([
      config("save"),
      config("appendonly"),
      config("maxmemory-policy"),
    ]);
    if (!save[1] && aof[1] !== "yes") {
      warn(
        `Redis at ${location} keeps no copy on disk (save "" and appendonly no): a restart loses the send state, and sends are then refused until \`clicksend-mcp state init\`. Turn on appendonly (docs/send-state.md).`,
      );
    }
    if (policy[1] && policy[1] !== "noeviction" && !policy[1].startsWith("volatile")) {
      warn(
        `Redis at ${location} may evict keys (maxmemory-policy ${policy[1]}): an evicted send state is detected and refused until \`clicksend-mcp state init\`. Use noeviction.`,
      );
    }
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to say then.
  }
}

/**
 * After lost state: a new marker that every instance adopts, and the lost flag cleared. The
 * counts, keys and window of the last day are gone; the operator checks ClickSend's history first.
 */
export async function reinitialiseRedis(url: string, scope: string): Promise<string | undefined> {
  const prefix = redisPrefix(scope);
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const lost = await client.get(`${prefix}lost`);
    await client.set(`${prefix}marker`, `${randomBytes(8).toString("hex")}:init`);
    await client.del(`${prefix}lost`);
    return lost ?? undefined;
  } finally {
    await client.close();
  }
}

/** Everything kept for one scope, as text: for tests that look for secrets in it. */
export async function dumpRedis(url: string, scope: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    const parts: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: `${redisPrefix(scope)}*` })) {
      for (const key of keys) parts.push(key, JSON.stringify(await client.dump(key)));
    }
    return parts.join("\n");
  } finally {
    await client.close();
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
