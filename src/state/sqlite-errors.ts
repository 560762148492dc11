import { StateStoreError } from "../errors.js";

/** SQLite's primary result codes that a state fault shows as. */
const PERM = 3;
const BUSY = 5;
const LOCKED = 6;
const NOMEM = 7;
const READONLY = 8;
const IOERR = 10;
const CORRUPT = 11;
const FULL = 13;
const CANTOPEN = 14;
const NOTADB = 26;

/** What a state database holds, in the words its faults are told in. */
export interface StateWords {
  /** "send state" */
  name: string;
  /** What it keeps, said when a step was rolled back: "its counts and keys". */
  kept: string;
  /** What cannot be done while it is corrupt: "the daily limits and duplicate checks". */
  guards: string;
  /** What deleting it forgets: "its counts and idempotency keys". */
  forgets: string;
}

export const SEND_STATE_WORDS: StateWords = {
  name: "send state",
  kept: "its counts and keys",
  guards: "the daily limits and duplicate checks",
  forgets: "its counts and idempotency keys",
};

/**
 * A failed step of the SQLite engine in words an operator can act on, naming the file. The
 * transaction was rolled back, so nothing was reserved; the sending layer adds that nothing
 * was sent (StateStoreError is not_sent).
 */
export function sqliteFault(
  error: unknown,
  file: string,
  words: StateWords = SEND_STATE_WORDS,
): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const { errcode, errstr, message } = error as {
    errcode?: number;
    errstr?: string;
    message?: string;
  };
  const code = typeof errcode === "number" ? errcode & 0xff : undefined;
  const detail = errstr ?? message ?? "error";
  const fault = (what: string) => new StateStoreError(`The ${words.name} database ${file} ${what}`);
  switch (code) {
    case FULL:
      return fault(
        `cannot be written: the disk is full (${detail}). The step was rolled back and ${words.kept} are intact; free space on that disk.`,
      );
    case READONLY:
    case PERM:
      return fault(
        `cannot be written: it or its directory is read-only (${detail}). Make it writable, or set CLICKSEND_STATE_DIR to a writable directory.`,
      );
    case CORRUPT:
    case NOTADB:
      return fault(
        `is corrupt (${detail}), so ${words.guards} cannot be applied. Move it aside or delete it (${words.forgets} are then forgotten); nothing was reset.`,
      );
    case BUSY:
    case LOCKED:
      return fault(
        `stayed locked by another process for longer than the busy timeout (${detail}); try again.`,
      );
    case CANTOPEN:
      return fault(
        `cannot be opened (${detail}): check that its directory exists and is writable, or set CLICKSEND_STATE_DIR.`,
      );
    case IOERR:
    case NOMEM:
      return fault(`cannot be read or written (${detail}); check the disk.`);
    default:
      return fault(`failed (${detail.slice(0, 200)}).`);
  }
}
