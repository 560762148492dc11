/**
 * One `setup` at a time per config file: a lock file beside it (`<file>.lock`), created with
 * O_EXCL and holding the pid of the run that made it. A lock whose pid is gone (a run killed
 * mid-edit) is stale and is taken over; a live one is waited for, up to a bound.
 */
import { readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";

export class LockError extends Error {
  override name = "LockError";
}

/** How long to wait for another run's lock before giving up. */
const WAIT_MS = 30_000;
/** A lock with no pid in it (its run died between creating and writing it) is stale after this. */
const EMPTY_STALE_MS = 10_000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder's pid; undefined when the lock has gone, NaN when it holds no pid (yet). */
function holder(lock: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(lock, "utf8"), 10);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isStale(lock: string, pid: number): boolean {
  if (Number.isInteger(pid) && pid > 0) return !alive(pid);
  try {
    return Date.now() - statSync(lock).mtimeMs > EMPTY_STALE_MS;
  } catch {
    return false;
  }
}

function tryAcquire(lock: string): boolean {
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new LockError(`cannot create the lock ${lock}: ${(error as Error).message}`);
  }
}

/** Runs `fn` holding `<file>.lock`; other runs on the same file wait for it. */
export function withFileLock<T>(file: string, fn: () => T, waitMs = WAIT_MS): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + waitMs;
  for (let delay = 5; !tryAcquire(lock); delay = Math.min(delay * 2, 100)) {
    const pid = holder(lock);
    if (pid === undefined) continue;
    // The pid is read again just before removing, so a lock taken over meanwhile by a live
    // run is left alone.
    if (isStale(lock, pid) && Object.is(holder(lock), pid)) {
      try {
        unlinkSync(lock);
      } catch {}
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockError(
        `its lock ${lock} is held by another setup (pid ${pid}) for over ${waitMs / 1000} s; if none is running, delete it`,
      );
    }
    pause(delay);
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {}
  }
}
