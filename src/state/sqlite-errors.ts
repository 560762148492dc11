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

/**
 * A failed step of the SQLite engine in words an operator can act on, naming the file. The
 * transaction was rolled back, so nothing was reserved; the sending layer adds that nothing
 * was sent (StateStoreError is not_sent).
 */
export function sqliteFault(error: unknown, file: string): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const { errcode, errstr, message } = error as {
    errcode?: number;
    errstr?: string;
    message?: string;
  };
  const code = typeof errcode === "number" ? errcode & 0xff : undefined;
  const detail = errstr ?? message ?? "error";
  const fault = (what: string) => new StateStoreError(`The send state database ${file} ${what}`);
  switch (code) {
    case FULL:
      return fault(
        `cannot be written: the disk is full (${detail}). The step was rolled back and its counts and keys are intact; free space on that disk.`,
      );
    case READONLY:
    case PERM:
      return fault(
        `cannot be written: it or its directory is read-only (${detail}). Make it writable, or set CLICKSEND_STATE_DIR to a writable directory.`,
      );
    case CORRUPT:
    case NOTADB:
      return fault(
        `is corrupt (${detail}), so the daily limits and duplicate checks cannot be applied. Move it aside or delete it (its counts and idempotency keys are then forgotten); nothing was reset.`,
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
