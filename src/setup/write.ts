/**
 * Editing a host's config file. A symlink (a dotfiles repository) is followed and its target
 * edited, the link left as it is. The edit runs under a lock beside the file (lock.ts), so runs
 * at once each see the others' entries. A backup of the file as it was is written first (never
 * overwriting an earlier one), then the new content goes to a temporary file beside it, synced
 * and renamed over it, so a crash leaves the old file or the new one, never half of one.
 * The file keeps its mode, owner and group; a file or backup holding a credential (secret-text.ts)
 * ends 0600, and so does a new file.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { withFileLock } from "./lock.js";
import { holdsSecret } from "./secret-text.js";

export class WriteError extends Error {
  override name = "WriteError";
}

/** Symlinks followed before giving up, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/** The file's text, or undefined when it does not exist. */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The file a path names, links followed, even when the last link's target does not exist yet. */
export function resolveTarget(path: string): string {
  let current = resolve(path);
  for (let links = 0; links < MAX_LINKS; links++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return current;
      throw error;
    }
    if (!stats.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new WriteError(`more than ${MAX_LINKS} symbolic links in a row from ${path}`);
}

export interface Edited {
  /** The file written: `path`, or the target of the link `path` is. */
  file: string;
  /** The backup's path when the file existed. */
  backup: string | undefined;
}

/**
 * Reads the file at `path` (links followed), passes its text ("" when missing) to `edit`, and
 * writes what it returns. An exception from `edit` leaves everything as it was.
 */
export function editFile(path: string, edit: (before: string) => string, now = new Date()): Edited {
  const file = resolveTarget(path);
  mkdirSync(dirname(file), { recursive: true });
  return withFileLock(file, () => {
    const existing = statIfExists(file);
    const before = existing ? readFileSync(file, "utf8") : "";
    const after = edit(before);
    const secret = holdsSecret(before) || holdsSecret(after);
    const mode = secret || !existing ? 0o600 : existing.mode & 0o777;
    checkOwner(existing);
    const backup = existing ? backUp(file, existing, mode, now) : undefined;
    if (secret) narrowBackups(file);
    replace(file, after, mode, existing);
    return { file, backup };
  });
}

/** Writes `text` to `path` as editFile does, without reading it; returns the backup's path. */
export function writeWithBackup(path: string, text: string, now = new Date()): string | undefined {
  return editFile(path, () => text, now).backup;
}

/** Only root can give a file to another user: anyone else would take the file over. */
function checkOwner(existing: Stats | undefined): void {
  const uid = process.getuid?.();
  if (!existing || uid === undefined || uid === 0 || existing.uid === uid) return;
  throw new WriteError(
    `it belongs to user ${existing.uid}: run setup as that user (or as root, which keeps the owner)`,
  );
}

function backUp(file: string, existing: Stats, mode: number, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  for (let n = 1; ; n++) {
    const backup = `${file}.${stamp}${n === 1 ? "" : `-${n}`}.bak`;
    try {
      copyFileSync(file, backup, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    chmodSync(backup, mode);
    keepOwner(backup, existing);
    return backup;
  }
}

/** Earlier backups of this file that hold a credential and others could read: 0600. */
function narrowBackups(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(".bak")) continue;
    const backup = join(dir, name);
    const stats = statIfExists(backup);
    if (!stats?.isFile() || (stats.mode & 0o077) === 0) continue;
    if (holdsSecret(readFileSync(backup, "utf8"))) chmodSync(backup, 0o600);
  }
}

function replace(file: string, text: string, mode: number, existing: Stats | undefined): void {
  const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, text);
    // Set on the descriptor, before the rename: the umask may have narrowed the mode.
    fchmodSync(fd, mode);
    if (existing) keepOwner(fd, existing);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, file);
  syncDirectory(dirname(file));
}

/**
 * The written file gets the old one's owner and group: as root, always; as its owner, the group
 * where the user may set it (a group they belong to), else the directory's default.
 */
function keepOwner(target: number | string, existing: Stats): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  try {
    if (typeof target === "number") fchownSync(target, existing.uid, existing.gid);
    else chownSync(target, existing.uid, existing.gid);
  } catch (error) {
    if (uid === 0) throw error;
  }
}

/** Makes the rename durable; not every platform can open a directory (Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function statIfExists(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
