import { chmodSync, closeSync, lstatSync, mkdirSync, openSync } from "node:fs";
import { StateStoreError } from "../errors.js";

/**
 * The state directory holds every account's counts, keys and audit: mode 0700, files 0600. A
 * directory that already exists with group or other access (0755, 0777) is tightened to 0700,
 * and refused when it cannot be (another user's): other users must not read or change the
 * state that guards sends. Not applied on Windows, whose permissions are ACLs.
 */
export function prepareStateDir(dir: string, platform: NodeJS.Platform = process.platform): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StateStoreError(
      `The send state directory ${dir} cannot be created (${codeOf(error)}); set CLICKSEND_STATE_DIR to a writable directory.`,
    );
  }
  if (platform === "win32") return;
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new StateStoreError(
      `The send state directory ${dir} is not a directory; set CLICKSEND_STATE_DIR to a directory.`,
    );
  }
  if ((stat.mode & 0o077) === 0) return;
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new StateStoreError(
      `The send state directory ${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}) and cannot be made 0700 (${codeOf(error)}); make it 0700 or set CLICKSEND_STATE_DIR to a directory of your own.`,
    );
  }
}

/** Creates the file 0600 if missing, and tightens an existing one, before SQLite opens it. */
export function prepareStateFile(file: string, platform: NodeJS.Platform = process.platform) {
  if (platform === "win32") return;
  try {
    closeSync(openSync(file, "a", 0o600));
    if ((lstatSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch {
    // A read-only directory or file: opening the database reports it with its own words.
  }
}

export function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? "error";
}
