/**
 * Writing a host's config file: a backup of the file as it was (never overwriting an earlier
 * backup), then the new content written beside it and renamed over it, so a crash leaves the
 * old file or the new one, never half of one. The file keeps its mode; a new one is 0600, as
 * it may hold credentials.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";

/** The file's text, or undefined when it does not exist. */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes `text` to `path`; returns the backup's path when the file existed. */
export function writeWithBackup(path: string, text: string, now = new Date()): string | undefined {
  let backup: string | undefined;
  let mode = 0o600;
  const existing = statIfExists(path);
  if (existing) {
    mode = existing.mode & 0o777;
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    backup = `${path}.${stamp}.bak`;
    for (let n = 2; statIfExists(backup); n++) backup = `${path}.${stamp}-${n}.bak`;
    copyFileSync(path, backup);
  } else {
    mkdirSync(dirname(path), { recursive: true });
  }
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, text, { mode });
  // The umask may have narrowed it.
  chmodSync(temporary, mode);
  renameSync(temporary, path);
  return backup;
}

function statIfExists(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
