/**
 * A small tmpfs of a test's own, to fill up or make read-only: a disk that is really full or
 * really read-only, as an operator meets it (root bypasses file modes, so chmod cannot stand in).
 * Needs root; `tmpfsUnavailable` says why not, for describe.skipIf.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const tmpfsUnavailable: string | undefined = (() => {
  if (process.platform !== "linux") return "tmpfs mounts are a Linux test";
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  return undefined;
})();

export interface Tmpfs {
  dir: string;
  /** Writes a file until the disk is full. */
  fill(): void;
  /** Deletes what fill() wrote. */
  free(): void;
  readOnly(): void;
  readWrite(): void;
  unmount(): void;
}

export function mountTmpfs(sizeKb: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), "cs-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k,mode=0700`, "tmpfs", dir]);
  const filler = join(dir, "filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as { code?: string }).code !== "ENOSPC") throw error;
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    readOnly: () => execFileSync("mount", ["-o", "remount,ro", dir]),
    readWrite: () => execFileSync("mount", ["-o", "remount,rw", dir]),
    unmount() {
      execFileSync("umount", [dir]);
      rmdirSync(dir);
    },
  };
}
