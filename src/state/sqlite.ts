import type { DatabaseSync } from "node:sqlite";
import { sqliteFault } from "./sqlite-errors.js";
import { openStateDatabase, rollback } from "./sqlite-open.js";
import { SqliteOptOuts } from "./sqlite-opt-outs.js";
import { SCHEMA, SCHEMA_VERSION } from "./sqlite-schema.js";
import { SqliteSteps } from "./sqlite-steps.js";
import { HEARTBEAT_MS, Writers } from "./sqlite-writers.js";
import { oldestAuditDayKept, type SendStateEngine } from "./store.js";

export { BUSY_TIMEOUT_MS } from "./sqlite-open.js";

const SEND_STATE_SCHEMA = { name: "send state", version: SCHEMA_VERSION, sql: SCHEMA };

interface Open {
  db: DatabaseSync;
  steps: SqliteSteps;
  writers: Writers;
  optOuts: SqliteOptOuts;
}

/**
 * Send state in SQLite through Node's built-in node:sqlite (no native addon: the single-file bin
 * and the bundle stay portable). A file in the state directory is shared by every process on
 * this machine (Claude Desktop and Claude Code each start their own server); ":memory:" keeps it
 * in this process and runs the same SQL. WAL, a busy timeout, and each step one short
 * BEGIN IMMEDIATE transaction, run synchronously so nothing in this process interleaves; a
 * reservation is committed before the request leaves. synchronous=NORMAL: in WAL mode a commit
 * survives the process being killed (the next process sees it) and the database is never left
 * half-written, but an OS crash or power loss may roll back the last commits. FULL would fsync
 * every reservation, 3.7 ms a send on this project's CI disk against a budget of 2 ms.
 * A database that cannot be opened is tried again at the next step, so a freed disk or fixed
 * permission needs no restart.
 */
export function sqliteEngine(options: { file: string; dir?: string }): SendStateEngine {
  const memory = options.file === ":memory:";
  const location = memory ? "memory (this process only)" : options.file;
  let open: Open | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let auditPrunedFor: string | undefined;
  /** The last step's time and when it ran, so the heartbeat follows the caller's clock. */
  let clockAt = { at: Date.now(), mono: performance.now() };

  const connect = (): Open => {
    if (open) return open;
    const db = openStateDatabase(options, SEND_STATE_SCHEMA, location);
    try {
      const writers = new Writers(db);
      open = {
        db,
        steps: new SqliteSteps(db, writers, location),
        writers,
        optOuts: new SqliteOptOuts(db),
      };
    } catch (error) {
      db.close();
      throw error;
    }
    if (!memory) {
      heartbeat = setInterval(beat, HEARTBEAT_MS);
      heartbeat.unref();
    }
    return open;
  };

  /** One step in one write transaction; any failure rolls it back and fails closed. */
  const transaction = <T>(now: number, run: (ctx: Open, now: number) => T): T => {
    try {
      const ctx = connect();
      ctx.db.exec("BEGIN IMMEDIATE");
      try {
        const at = ctx.writers.now(now);
        clockAt = { at: now, mono: performance.now() };
        ctx.steps.expire(at);
        const value = run(ctx, at);
        ctx.db.exec("COMMIT");
        return value;
      } catch (error) {
        rollback(ctx.db);
        throw error;
      }
    } catch (error) {
      throw sqliteFault(error, location);
    }
  };

  function beat() {
    const now = clockAt.at + (performance.now() - clockAt.mono);
    try {
      transaction(now, () => undefined);
    } catch {
      // The next step reports the fault; a missed heartbeat only ages this process's row.
    }
  }

  return {
    kind: memory ? "memory" : "sqlite",
    location,
    reserve: async (request, now) =>
      transaction(now, ({ steps }, at) => steps.reserve(request, at)),
    issue: async (request, now) => transaction(now, ({ steps }, at) => steps.issue(request, at)),
    decline: async (request, now) =>
      transaction(now, ({ steps }, at) => steps.decline(request, at)),
    settle: async (id, settlement, now) =>
      transaction(now, ({ steps }) => steps.settle(id, settlement)),
    appendAudit: async (record) => {
      const day = record.at.slice(0, 10);
      const prune = auditPrunedFor !== day ? oldestAuditDayKept(day) : undefined;
      transaction(Date.parse(record.at), ({ steps }) => steps.appendAudit(record, prune));
      auditPrunedFor = day;
    },
    readAudit: async (day, page) => {
      try {
        return connect().steps.readAudit(day, page.after, page.limit);
      } catch (error) {
        throw sqliteFault(error, location);
      }
    },
    markOptedOut: async (hashes, ttlMs, now) =>
      transaction(now, ({ optOuts }, at) => optOuts.mark(hashes, ttlMs, at)),
    optedOut: async (hashes, now) => {
      try {
        return connect().optOuts.find(hashes, now);
      } catch (error) {
        throw sqliteFault(error, location);
      }
    },
    close: async () => {
      clearInterval(heartbeat);
      if (!open) return;
      const { db, writers } = open;
      open = undefined;
      try {
        writers.leave();
      } catch {
        // Read-only or full: the others see this process gone by its pid.
      }
      db.close();
    },
  };
}
