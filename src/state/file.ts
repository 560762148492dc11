import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StateStoreError } from "../errors.js";
import { emptyState, type SendState } from "./ledger.js";
import { type AuditRecord, oldestAuditDayKept, type StateBackend } from "./store.js";

/** A lock older than this was left by a process that died while holding it (steps take ms). */
const STALE_LOCK_MS = 10_000;
/** How long a transaction waits for the lock before it gives up (and nothing is sent). */
const LOCK_WAIT_MS = 10_000;

/**
 * State in a directory shared by every process on this machine (Claude Desktop and Claude Code
 * each start their own server): one JSON file per account, replaced atomically (write, fsync,
 * rename) under a lock directory, so a reservation is on disk before the request leaves.
 * Plain files and mkdir: no native addon, so the single-file bin and the bundle stay portable.
 * Each step runs synchronously once the lock is held, so nothing in this process interleaves.
 */
export function fileBackend(dir: string, scope: string): StateBackend {
  const file = join(dir, `${scope}.state.json`);
  const lock = join(dir, `${scope}.lock`);
  const auditFile = (day: string) => join(dir, `${scope}.audit-${day}.jsonl`);
  let prunedAuditOn: string | undefined;

  const ensureDir = () => {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new StateStoreError(
        `The send state directory ${dir} cannot be created (${codeOf(error)}); set CLICKSEND_STATE_DIR to a writable directory.`,
      );
    }
  };

  /** Takes the lock (a file created exclusively) or returns false; clears a dead process's. */
  const tryLock = (token: string): boolean => {
    try {
      writeFileSync(lock, token, { flag: "wx", mode: 0o600 });
      return true;
    } catch (error) {
      if (codeOf(error) !== "EEXIST") throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) {
        // Renaming is atomic: of several processes that find it stale, one takes it away.
        const aside = `${lock}.stale-${randomBytes(4).toString("hex")}`;
        renameSync(lock, aside);
        rmSync(aside, { force: true });
      }
    } catch {
      // Gone or taken meanwhile: try again.
    }
    return false;
  };

  const stillOwned = (token: string): boolean => {
    try {
      return readFileSync(lock, "utf8") === token;
    } catch {
      return false;
    }
  };

  const read = (): SendState => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (codeOf(error) === "ENOENT") return emptyState();
      throw new StateStoreError(
        `The send state file ${file} cannot be read (${codeOf(error)}). Fix its permissions; nothing was reset.`,
      );
    }
    try {
      const state = JSON.parse(text) as SendState;
      if (state?.v !== 1 || typeof state.keys !== "object" || typeof state.usage !== "object")
        throw new Error("shape");
      return { ...state, recent: state.recent ?? {} };
    } catch {
      throw new StateStoreError(
        `The send state file ${file} is corrupt, so the daily limits and duplicate checks cannot be applied. Move it aside or delete it (its counts and idempotency keys are then forgotten); nothing was reset.`,
      );
    }
  };

  /**
   * Replaces the file atomically. A reservation is flushed to the disk before the request
   * leaves (durable): the page cache alone would survive the process dying, not the machine.
   * A settlement is not flushed: losing one leaves the reservation taken, the safe side.
   */
  const write = (state: SendState, durable: boolean) => {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const fd = openSync(temp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      if (durable) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  };

  return {
    kind: "file",
    location: file,
    async transact(step, options) {
      ensureDir();
      const token = `${process.pid}-${randomBytes(6).toString("hex")}`;
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
        if (tryLock(token)) {
          try {
            const result = step(read());
            // A lock taken from us as stale would let another process write: start again.
            if (!stillOwned(token)) continue;
            write(result.state, options?.durable ?? true);
            return result.value;
          } finally {
            if (stillOwned(token)) rmSync(lock, { force: true });
          }
        }
        if (Date.now() > deadline) {
          throw new StateStoreError(
            `The send state lock ${lock} has been held by another process for ${LOCK_WAIT_MS / 1000} s. If no clicksend-mcp is running, delete it.`,
          );
        }
        await sleep(wait * (0.5 + Math.random()));
      }
    },
    async appendAudit(day, record) {
      ensureDir();
      // One write of one line with O_APPEND: lines from several processes never interleave.
      appendFileSync(auditFile(day), `${JSON.stringify(record)}\n`, { mode: 0o600 });
      if (prunedAuditOn !== day) {
        prunedAuditOn = day;
        pruneAudit(dir, scope, oldestAuditDayKept(day));
      }
    },
    async readAudit(day) {
      let text: string;
      try {
        text = readFileSync(auditFile(day), "utf8");
      } catch (error) {
        if (codeOf(error) === "ENOENT") return [];
        throw error;
      }
      // A line cut short by a crash is skipped; every whole line is a record.
      return text.split("\n").flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as AuditRecord] : [];
        } catch {
          return [];
        }
      });
    },
    close: async () => {},
  };
}

function pruneAudit(dir: string, scope: string, oldestKept: string): void {
  const prefix = `${scope}.audit-`;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.slice(prefix.length, prefix.length + 10) < oldestKept) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? "error";
}
